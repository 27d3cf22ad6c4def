using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Monitoring.Alerts;
using Inference.Monitoring.Services;
using Inference.Serving.Auditing;

namespace Inference.Monitoring;

/// <summary>One Server-Sent Event of <c>GET /api/events</c>: its type and its JSON data.</summary>
public sealed record MonitoringEvent(string Type, string Data)
{
    /// <summary>Every service and model, and the active alerts: on connecting, then at each sample.</summary>
    public const string SnapshotType = "snapshot";

    /// <summary>A call finished.</summary>
    public const string RequestType = "request";

    /// <summary>An alert started or stopped firing.</summary>
    public const string AlertType = "alert";

    /// <summary>An operational event (a model loaded, the cache lost, health changed...).</summary>
    public const string OperationalType = "operational";

    public static MonitoringEvent Operational(Inference.Serving.Events.OperationalEvent operationalEvent) =>
        new(OperationalType, JsonSerializer.Serialize(operationalEvent, MonitoringJsonContext.Default.OperationalEvent));

    public static MonitoringEvent Snapshot(ServicesSnapshot services, ActiveAlerts alerts) =>
        new(SnapshotType, JsonSerializer.Serialize(new MonitoringSnapshot(services.Timestamp, services.Services, alerts.Alerts), MonitoringJsonContext.Default.MonitoringSnapshot));

    public static MonitoringEvent Request(InferenceCall call) => new(RequestType, JsonSerializer.Serialize(
        new RequestEvent(call.RequestId, call.Model, call.Provider, call.Operation, call.Status, Math.Round(call.Latency.TotalMilliseconds, 1),
            call.TimeToFirstToken is { } first ? Math.Round(first.TotalMilliseconds, 1) : null, call.InputTokens, call.OutputTokens, call.CacheHit, call.Timestamp + call.Latency),
        MonitoringJsonContext.Default.RequestEvent));

    public static MonitoringEvent Alert(ActiveAlert alert, bool firing) =>
        new(AlertType, JsonSerializer.Serialize(new AlertEvent(firing ? "firing" : "resolved", alert), MonitoringJsonContext.Default.AlertEvent));
}

/// <summary>The data of a <c>snapshot</c> event.</summary>
public sealed record MonitoringSnapshot(
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("services")] IReadOnlyList<ServiceStatus> Services,
    [property: JsonPropertyName("alerts")] IReadOnlyList<ActiveAlert> Alerts);

/// <summary>The data of a <c>request</c> event.</summary>
public sealed record RequestEvent(
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("operation")] string Operation,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("latency_ms")] double LatencyMs,
    [property: JsonPropertyName("time_to_first_token_ms")] double? TimeToFirstTokenMs,
    [property: JsonPropertyName("input_tokens")] int? InputTokens,
    [property: JsonPropertyName("output_tokens")] int? OutputTokens,
    [property: JsonPropertyName("cache_hit")] bool CacheHit,
    [property: JsonPropertyName("finished_at")] DateTimeOffset FinishedAt);

/// <summary>The data of an <c>alert</c> event.</summary>
public sealed record AlertEvent(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("alert")] ActiveAlert Alert);
