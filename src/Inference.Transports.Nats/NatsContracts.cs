using System.Text.Json.Serialization;
using Inference.Serving.Catalog;

namespace Inference.Transports.Nats;

/// <summary>An error reply: the request's id and OpenAI's error object with the HTTP status it stands for.</summary>
public sealed record NatsErrorReply(string? ReqId, NatsError Error);

public sealed record NatsError(string Message, string Type, string? Code, string? Param, int Status);

/// <summary>One piece of a streamed answer, sent to the requester's inbox; the last message has <c>done</c> true and the totals.</summary>
public sealed record NatsStreamChunk(string ReqId, string Text)
{
    public bool Done => false;
}

/// <summary>
/// A model's status on <c>models.MODEL.health</c> and <c>models.MODEL.heartbeat</c>: what it can do, its facts, the
/// subject it is served on, this replica, and its queue and backpressure now.
/// </summary>
public sealed record NatsModelStatus
{
    public required string ModelName { get; init; }

    /// <summary>online; draining in the last heartbeat of a replica that stops.</summary>
    public required string Status { get; init; }

    public required string Replica { get; init; }

    public required IReadOnlyList<string> Capabilities { get; init; }

    public required string NatsTopic { get; init; }

    /// <summary>This replica's own subject for the model, outside the queue group.</summary>
    public required string ReplicaTopic { get; init; }

    /// <summary>The model as name:version, as the registry names the version answering.</summary>
    public string? Version { get; init; }

    public required NatsModelInfo ModelInfo { get; init; }

    public QueueMetrics? QueueMetrics { get; init; }

    public Backpressure? BackpressureStatus { get; init; }

    public long? RequestsTotal { get; init; }

    public required DateTimeOffset Timestamp { get; init; }
}

public sealed record NatsModelInfo(string? Architecture, string? Format, string? ParameterCount, long? Parameters, int? ContextSize, int? EmbeddingSize, string? Quantization);

/// <summary>A model's load on <c>monitoring.inference.MODEL</c>.</summary>
public sealed record NatsLoadReport(
    string ModelName,
    string Replica,
    int PendingMessages,
    int ActiveProcessing,
    DateTimeOffset Timestamp,
    int WorkerCount,
    int QueueCapacity,
    double Utilization,
    string Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NatsErrorReply))]
[JsonSerializable(typeof(NatsStreamChunk))]
[JsonSerializable(typeof(NatsModelStatus))]
[JsonSerializable(typeof(NatsLoadReport))]
public sealed partial class NatsJsonContext : JsonSerializerContext;
