namespace Inference.Engines.Grammars;

/// <summary>
/// Decoding reached a point where the grammar allows characters but no token of the model's vocabulary writes one
/// of them (whole): the request's constraint cannot be met by this model.
/// </summary>
public sealed class GrammarDeadEndException(int generated)
    : ArgumentException($"The grammar cannot be followed by this model: after {generated} tokens no token of its vocabulary continues the match.");
