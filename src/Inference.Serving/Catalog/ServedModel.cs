using Microsoft.Extensions.AI;

namespace Inference.Serving.Catalog;

/// <summary>A model the service answers for, with the client that runs it (a MEAI pipeline over its provider).</summary>
public sealed record ServedModel
{
    public required string Id { get; init; }

    public required ModelKind Kind { get; init; }

    public string OwnedBy { get; init; } = "inference-aspire";

    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Tokens the model can attend to (prompt plus completion); null when unknown.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Embedding size, for embedding models.</summary>
    public int? Dimensions { get; init; }

    public IChatClient? ChatClient { get; init; }

    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }

    /// <summary>Requests waiting for the model, when its provider queues them.</summary>
    public Func<int>? QueueDepth { get; init; }
}
