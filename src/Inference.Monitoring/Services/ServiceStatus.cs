using System.Text.Json.Serialization;

namespace Inference.Monitoring.Services;

/// <summary>Every service this one knows (itself and those it routes to) at one moment: <c>GET /api/services</c>.</summary>
public sealed record ServicesSnapshot(
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("services")] IReadOnlyList<ServiceStatus> Services);

/// <summary>One service, as the service monitor shows it: status, response time, first and last seen, uptime, its models.</summary>
public sealed record ServiceStatus
{
    public const string Online = "online";
    public const string Degraded = "degraded";
    public const string Offline = "offline";
    public const string Unknown = "unknown";

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>gateway, worker, embeddings (ours), ollama or openai.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("endpoint")]
    public string? Endpoint { get; init; }

    /// <summary>online, degraded, offline or unknown (a provider that is not ours, before any call).</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Why it is not online, when it is not.</summary>
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    [JsonPropertyName("response_time_ms")]
    public double? ResponseTimeMs { get; init; }

    [JsonPropertyName("first_seen")]
    public DateTimeOffset? FirstSeen { get; init; }

    [JsonPropertyName("last_seen")]
    public DateTimeOffset? LastSeen { get; init; }

    [JsonPropertyName("uptime_seconds")]
    public double? UptimeSeconds { get; init; }

    [JsonPropertyName("health_score")]
    public double? HealthScore { get; init; }

    [JsonPropertyName("memory_usage_percent")]
    public double? MemoryUsagePercent { get; init; }

    [JsonPropertyName("models")]
    public IReadOnlyList<ModelStatus> Models { get; init; } = [];
}
