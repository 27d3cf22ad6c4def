using Microsoft.Extensions.AI;

namespace Inference.Engines;

/// <summary>A model an engine has loaded: the client that runs it and what the model's files say it is.</summary>
public sealed record LoadedModel
{
    public required ModelKind Kind { get; init; }

    /// <summary>The format's name ("onnx", "gguf").</summary>
    public required string Format { get; init; }

    /// <summary>The file the weights were loaded from.</summary>
    public required string Source { get; init; }

    /// <summary>For chat models.</summary>
    public IChatClient? ChatClient { get; init; }

    /// <summary>For embedding models.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }

    /// <summary>For classification models.</summary>
    public Classification.ITextClassifier? Classifier { get; init; }

    /// <summary>A classification model's labels, in the order of its logits.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>The model family ("llama", "gpt2", "bert"), when its files say.</summary>
    public string? Architecture { get; init; }

    /// <summary>Tokens one request can attend to, prompt plus completion.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Weights in the model.</summary>
    public long? ParameterCount { get; init; }

    /// <summary>The storage precision of most weights: F32, F16, BF16, Q8_0, Q4_K_M...</summary>
    public string? Quantization { get; init; }

    /// <summary>The chat template's name, for chat models that have one.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>The embedding size an embedding model returns.</summary>
    public int? Dimensions { get; init; }

    /// <summary>The model's hidden size (GGUF's <c>embedding_length</c>).</summary>
    public int? EmbeddingLength { get; init; }

    /// <summary>Further facts from the model's files, by their own keys (GGUF metadata), for clients that show them.</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; init; } = new Dictionary<string, object>();

    /// <summary>What the model is doing now (queue, batch, cache), for monitoring.</summary>
    public IModelRuntimeStatus? Status { get; init; }

    /// <summary>Requests waiting for the model.</summary>
    public Func<int>? QueueDepth { get; init; }

    /// <summary>Requests the model has run since it was loaded.</summary>
    public Func<long>? RequestCount { get; init; }

    /// <summary>What to dispose when the service stops (the weights, sessions and schedulers).</summary>
    public IDisposable? Owner { get; init; }
}
