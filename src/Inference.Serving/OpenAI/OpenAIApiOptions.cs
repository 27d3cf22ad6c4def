namespace Inference.Serving.OpenAI;

/// <summary>Limits of the OpenAI-compatible API (<c>Inference:Api</c>).</summary>
public sealed class OpenAIApiOptions
{
    public const string SectionName = "Inference:Api";

    /// <summary>Request bodies above this size are refused with 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Inputs one embeddings request may carry (OpenAI's limit is 2048).</summary>
    public int MaxEmbeddingInputs { get; set; } = 2048;
}
