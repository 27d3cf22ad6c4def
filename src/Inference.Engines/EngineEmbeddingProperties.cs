namespace Inference.Engines;

/// <summary>Keys local engines set in each generated embedding's <c>AdditionalProperties</c>.</summary>
public static class EngineEmbeddingProperties
{
    /// <summary>The input's token count (int), so a per-input cache can keep usage exact.</summary>
    public const string InputTokens = "input_tokens";
}
