namespace Inference.Engines;

/// <summary>
/// What a model is, as its files say (or, for a model served elsewhere, as its provider says): the facts the catalog,
/// <c>/v1/models</c>, Ollama's <c>/api/show</c> and monitoring report. A loaded model carries its own; a served model
/// refers to its latest load's.
/// </summary>
public sealed record ModelDescription
{
    /// <summary>The format's name ("onnx", "gguf"), when known.</summary>
    public string? Format { get; init; }

    /// <summary>Where the model is: the file its weights were loaded from, or a remote model's endpoint and name.</summary>
    public string Source { get; init; } = "";

    /// <summary>The model family ("llama", "gpt2", "bert"), when its files say.</summary>
    public string? Architecture { get; init; }

    /// <summary>Tokens one request can attend to, prompt plus completion; null when unknown.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Weights in the model, when its files say.</summary>
    public long? ParameterCount { get; init; }

    /// <summary>The storage precision of most weights: F32, F16, BF16, Q8_0, Q4_K_M...</summary>
    public string? Quantization { get; init; }

    /// <summary>The chat template's name, for chat models that have one.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>The chat template's Jinja text, when the model's format is a template.</summary>
    public string? ChatTemplateText { get; init; }

    /// <summary>How the model writes tool calls ("hermes", "llama3", "mistral", "harmony"), for chat models with a template.</summary>
    public string? ToolCallSyntax { get; init; }

    /// <summary>Where the model writes its reasoning ("think", "harmony"), for models that reason; null for the others.</summary>
    public string? Reasoning { get; init; }

    /// <summary>The embedding size an embedding model returns.</summary>
    public int? Dimensions { get; init; }

    /// <summary>The model's hidden size (GGUF's <c>embedding_length</c>), for chat models whose files say.</summary>
    public int? EmbeddingLength { get; init; }

    /// <summary>A classification model's labels, in the order of its logits.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Further facts from the model's files, by their own keys (GGUF metadata), for clients that show them.</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; init; } = new Dictionary<string, object>();
}
