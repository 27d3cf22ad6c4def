namespace Inference.Http;

/// <summary>Limits of the HTTP APIs (<c>Inference:Api</c>): body size, JSON depth, messages, embedding inputs.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Inference:Api";

    /// <summary>Request bodies above this size are refused with 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Inputs one embeddings request may carry (OpenAI's limit is 2048).</summary>
    public int MaxEmbeddingInputs { get; set; } = 2048;

    /// <summary>How deep a JSON body may nest (objects and arrays); deeper bodies are refused with 400.</summary>
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Messages one chat request may carry.</summary>
    public int MaxMessages { get; set; } = 1024;
}
