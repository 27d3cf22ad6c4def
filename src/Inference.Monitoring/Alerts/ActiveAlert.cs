using System.Text.Json.Serialization;

namespace Inference.Monitoring.Alerts;

/// <summary>An alert that is firing: what, about which model or service, how far over its threshold, since when.</summary>
public sealed record ActiveAlert(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("service")] string? Service,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("since")] DateTimeOffset Since)
{
    /// <summary>What identifies one alert across evaluations.</summary>
    [JsonIgnore]
    public string Key => $"{Name}/{Model}/{Service}";
}

/// <summary>The answer of <c>GET /alerts/active</c>.</summary>
public sealed record ActiveAlerts(
    [property: JsonPropertyName("evaluated_at")] DateTimeOffset? EvaluatedAt,
    [property: JsonPropertyName("alerts")] IReadOnlyList<ActiveAlert> Alerts);
