using Microsoft.Extensions.AI;

namespace Inference.Engines;

/// <summary>Keys local engines read from <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>.</summary>
public static class EngineEmbeddingOptions
{
    /// <summary>
    /// True: an input longer than the model reads is refused (<see cref="ContextWindowExceededException"/>) instead of
    /// embedded from its beginning, as embedding services do by default. For callers that must not score part of a text.
    /// </summary>
    public const string Whole = "whole";

    /// <summary>Whether <paramref name="options"/> asks for whole inputs only.</summary>
    public static bool WholeInputs(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(Whole, out bool whole) == true && whole;
}
