using Microsoft.Extensions.AI;

namespace Inference.Serving.Catalog;

/// <summary>A model the service answers for, with the client that runs it (a MEAI pipeline over its provider).</summary>
public sealed record ServedModel
{
    public required string Id { get; init; }

    public required ModelKind Kind { get; init; }

    public string OwnedBy { get; init; } = "inference-aspire";

    /// <summary>Who runs the model: local, worker, embeddings, openai or ollama.</summary>
    public string Provider { get; init; } = "local";

    /// <summary>Where it runs: the model file of a local model, the endpoint (and remote model name) of a remote one.</summary>
    public string Source { get; init; } = "";

    /// <summary>How the weights are stored ("onnx", "gguf"), when known.</summary>
    public string? Format { get; init; }

    /// <summary>The endpoint of a remote model's provider (our Worker or Embeddings service, Ollama, an OpenAI-compatible API).</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The Worker replicas a replicated model's calls go to (instead of one <see cref="Endpoint"/>).</summary>
    public Remote.WorkerReplicaSet? Replicas { get; init; }

    /// <summary>The model family ("llama", "gpt2", "bert"), when known.</summary>
    public string? Architecture { get; init; }

    /// <summary>Models to try instead when this one fails, in order, as configured.</summary>
    public IReadOnlyList<string> Fallbacks { get; init; } = [];

    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Tokens the model can attend to (prompt plus completion); null when unknown.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Embedding size, for embedding models.</summary>
    public int? Dimensions { get; init; }

    /// <summary>The model's hidden size, for chat models whose files say (GGUF's embedding_length).</summary>
    public int? EmbeddingLength { get; init; }

    /// <summary>Further facts from the model's files by their own keys (GGUF metadata), as Ollama's model_info shows them.</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; init; } = new Dictionary<string, object>();

    /// <summary>Weights in the model, when its files say.</summary>
    public long? ParameterCount { get; init; }

    /// <summary>The storage precision of most weights (F32, F16, BF16, Q8, Q4), when known.</summary>
    public string? Quantization { get; init; }

    /// <summary>The chat template's name, for chat models that have one.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>The output constraints its provider enforces: all of them locally, on our Workers and (forwarded) on OpenAI-compatible endpoints.</summary>
    public OutputConstraints Constraints { get; init; } = OutputConstraints.All;

    public IChatClient? ChatClient { get; init; }

    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }

    /// <summary>For classification models.</summary>
    public Inference.Engines.Classification.ITextClassifier? Classifier { get; init; }

    /// <summary>A classification model's labels, in the order of its logits.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>What a local model is doing now (queue and its capacity, batch, cache), for monitoring.</summary>
    public IModelRuntimeStatus? Status { get; init; }

    /// <summary>Requests waiting for the model, when its provider queues them.</summary>
    public Func<int>? QueueDepth { get; init; }

    /// <summary>Requests the model has run since it was loaded, when its provider counts them.</summary>
    public Func<long>? RequestCount { get; init; }
}
