using Microsoft.Extensions.AI;

namespace Inference.Engines;

/// <summary>Keys local engines set in each generated embedding's <c>AdditionalProperties</c>.</summary>
public static class EngineEmbeddingProperties
{
    /// <summary>The input's token count (int), so a per-input cache can keep usage exact.</summary>
    public const string InputTokens = "input_tokens";

    /// <summary>True (bool) on an embedding of an input longer than the model reads, embedded from its beginning.</summary>
    public const string Truncated = "truncated";

    /// <summary>Whether <paramref name="embedding"/> is of a cut input.</summary>
    public static bool IsTruncated(Embedding<float> embedding) =>
        embedding?.AdditionalProperties?.TryGetValue(Truncated, out bool truncated) == true && truncated;
}
