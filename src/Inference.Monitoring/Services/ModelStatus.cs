using System.Text.Json.Serialization;
using Inference.Serving.Catalog;

namespace Inference.Monitoring.Services;

/// <summary>One model as the service monitor shows it: capabilities, queue and backpressure, throughput and latency.</summary>
public record ModelStatus
{
    public const string Online = "online";
    public const string Offline = "offline";

    [JsonPropertyName("model_name")]
    public required string Name { get; init; }

    /// <summary>chat, embedding or classification.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("provider")]
    public required string Provider { get; init; }

    /// <summary>online, or offline while its service is or its last calls all failed.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>The tasks it serves: text-generation, chat, embeddings.</summary>
    [JsonPropertyName("capabilities")]
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    [JsonPropertyName("model_info")]
    public ModelInfo Info { get; init; } = new();

    [JsonPropertyName("queue_metrics")]
    public QueueMetrics? Queue { get; init; }

    [JsonPropertyName("backpressure_status")]
    public Backpressure? Backpressure { get; init; }

    [JsonPropertyName("requests_total")]
    public long? RequestsTotal { get; init; }

    [JsonPropertyName("window")]
    public ModelActivity Activity { get; init; } = new();
}

/// <summary>
/// One model asked for by name on <c>/api/services/{name}</c>, as a monitor of one-model workers expects: the
/// model's status, the service that serves it, when that service was first seen and how long it has been up
/// (<c>uptime</c> in nanoseconds, as Go's monitors write a duration, and in seconds).
/// </summary>
public sealed record ServedModelStatus : ModelStatus
{
    [JsonPropertyName("service")]
    public required string Service { get; init; }

    [JsonPropertyName("endpoint")]
    public string? Endpoint { get; init; }

    [JsonPropertyName("first_seen")]
    public DateTimeOffset? FirstSeen { get; init; }

    [JsonPropertyName("uptime")]
    public long? Uptime { get; init; }

    [JsonPropertyName("uptime_seconds")]
    public double? UptimeSeconds { get; init; }

    public static ServedModelStatus Of(ModelStatus model, ServiceStatus service)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(service);
        return new ServedModelStatus
        {
            Name = model.Name,
            Kind = model.Kind,
            Provider = model.Provider,
            Status = model.Status,
            Capabilities = model.Capabilities,
            Info = model.Info,
            Queue = model.Queue,
            Backpressure = model.Backpressure,
            RequestsTotal = model.RequestsTotal,
            Activity = model.Activity,
            Service = service.Name,
            Endpoint = service.Endpoint,
            FirstSeen = service.FirstSeen,
            Uptime = service.UptimeSeconds is { } seconds ? (long)(seconds * 1e9) : null,
            UptimeSeconds = service.UptimeSeconds,
        };
    }
}

public sealed record ModelInfo
{
    [JsonPropertyName("architecture")]
    public string? Architecture { get; init; }

    [JsonPropertyName("format")]
    public string? Format { get; init; }

    /// <summary>As monitors write it: 135M, 4.0B.</summary>
    [JsonPropertyName("parameter_count")]
    public string? ParameterCount { get; init; }

    [JsonPropertyName("parameters")]
    public long? Parameters { get; init; }

    [JsonPropertyName("quantization")]
    public string? Quantization { get; init; }

    [JsonPropertyName("context_size")]
    public int? ContextSize { get; init; }

    [JsonPropertyName("embedding_size")]
    public int? EmbeddingSize { get; init; }

    [JsonPropertyName("chat_template")]
    public string? ChatTemplate { get; init; }
}

/// <summary>The model's calls over the monitoring window (or the last minute, for the rates).</summary>
public sealed record ModelActivity
{
    [JsonPropertyName("requests")]
    public int Requests { get; init; }

    [JsonPropertyName("errors")]
    public int Errors { get; init; }

    [JsonPropertyName("requests_per_minute")]
    public double RequestsPerMinute { get; init; }

    [JsonPropertyName("output_tokens_per_second")]
    public double OutputTokensPerSecond { get; init; }

    [JsonPropertyName("latency_p50_ms")]
    public double? LatencyP50Ms { get; init; }

    [JsonPropertyName("latency_p95_ms")]
    public double? LatencyP95Ms { get; init; }

    [JsonPropertyName("last_request")]
    public DateTimeOffset? LastRequest { get; init; }
}
