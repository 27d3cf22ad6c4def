using Inference.Engines;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Catalog;

/// <summary>A model the service answers for, with the client that runs it (a MEAI pipeline over its provider).</summary>
public sealed record ServedModel
{
    private readonly ModelDescription _description = new();
    private readonly Func<ModelDescription?>? _describedBy;

    public required string Id { get; init; }

    public required ModelKind Kind { get; init; }

    public string OwnedBy { get; init; } = "inference-aspire";

    /// <summary>Who runs the model: local, worker, embeddings, openai or ollama.</summary>
    public string Provider { get; init; } = "local";

    /// <summary>
    /// What the model is, as its files or its provider say. For a model loaded in this process it is read from the
    /// engine's latest load (<see cref="DescribedBy"/>), not copied: a model reloaded after residency unloaded it shows
    /// what the files it was loaded from say.
    /// </summary>
    public ModelDescription Description
    {
        get => _describedBy?.Invoke() ?? _description;
        init => _description = value;
    }

    /// <summary>Where <see cref="Description"/> is read from at each call, while it has one (a resident model's latest load).</summary>
    public Func<ModelDescription?>? DescribedBy
    {
        get => _describedBy;
        init => _describedBy = value;
    }

    /// <summary>Where it runs: the model file of a local model, the endpoint (and remote model name) of a remote one.</summary>
    public string Source => Description.Source;

    /// <summary>How the weights are stored ("onnx", "gguf"), when known.</summary>
    public string? Format => Description.Format;

    /// <summary>The endpoint of a remote model's provider (our Worker or Embeddings service, Ollama, an OpenAI-compatible API).</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The model's id where it is served, for a model served elsewhere.</summary>
    public string? RemoteId { get; init; }

    /// <summary>The Worker replicas a replicated model's calls go to (instead of one <see cref="Endpoint"/>).</summary>
    public Remote.WorkerReplicaSet? Replicas { get; init; }

    /// <summary>True when this service runs the model itself: no endpoint or replicas it is reached at.</summary>
    public bool IsLocal => Endpoint is null && Replicas is null;

    public string? Architecture => Description.Architecture;

    /// <summary>Models to try instead when this one fails, in order, as configured.</summary>
    public IReadOnlyList<string> Fallbacks { get; init; } = [];

    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Tokens the model can attend to (prompt plus completion); null when unknown.</summary>
    public int? ContextLength => Description.ContextLength;

    /// <summary>Embedding size, for embedding models.</summary>
    public int? Dimensions => Description.Dimensions;

    public int? EmbeddingLength => Description.EmbeddingLength;

    public IReadOnlyDictionary<string, object> Metadata => Description.Metadata;

    public long? ParameterCount => Description.ParameterCount;

    public string? Quantization => Description.Quantization;

    public string? ChatTemplate => Description.ChatTemplate;

    /// <summary>The output constraints its provider enforces: all of them locally, on our Workers and (forwarded) on OpenAI-compatible endpoints.</summary>
    public OutputConstraints Constraints { get; init; } = OutputConstraints.All;

    public IChatClient? ChatClient { get; init; }

    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }

    /// <summary>For classification models.</summary>
    public Inference.Engines.Classification.ITextClassifier? Classifier { get; init; }

    /// <summary>A classification model's labels, in the order of its logits.</summary>
    public IReadOnlyList<string>? Labels => Description.Labels;

    /// <summary>What a local model is doing now (queue and its capacity, batch, cache), for monitoring.</summary>
    public IModelRuntimeStatus? Status { get; init; }

    /// <summary>Requests waiting for the model, when its provider queues them.</summary>
    public Func<int>? QueueDepth { get; init; }

    /// <summary>Requests the model has run since it was loaded, when its provider counts them.</summary>
    public Func<long>? RequestCount { get; init; }
}
