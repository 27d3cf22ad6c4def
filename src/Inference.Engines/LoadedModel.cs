using Microsoft.Extensions.AI;

namespace Inference.Engines;

/// <summary>A model an engine has loaded: the client that runs it and what the model's files say it is.</summary>
public sealed record LoadedModel
{
    public required ModelKind Kind { get; init; }

    /// <summary>What the model's files say it is; its <see cref="ModelDescription.Source"/> is the file the weights came from.</summary>
    public required ModelDescription Description { get; init; }

    /// <summary>Bytes of weights the engine holds (the loaded files' size), for a memory budget.</summary>
    public long WeightBytes { get; init; }

    /// <summary>For chat models.</summary>
    public IChatClient? ChatClient { get; init; }

    /// <summary>For embedding models.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }

    /// <summary>For classification models.</summary>
    public Classification.ITextClassifier? Classifier { get; init; }

    /// <summary>What the model is doing now (queue, batch, cache), for monitoring.</summary>
    public IModelRuntimeStatus? Status { get; init; }

    /// <summary>Requests waiting for the model.</summary>
    public Func<int>? QueueDepth { get; init; }

    /// <summary>Requests the model has run since it was loaded.</summary>
    public Func<long>? RequestCount { get; init; }

    /// <summary>What to dispose when the service stops (the weights, sessions and schedulers).</summary>
    public IDisposable? Owner { get; init; }
}
