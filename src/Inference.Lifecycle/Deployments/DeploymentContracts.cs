using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Storage.Data;

namespace Inference.Lifecycle;

/// <summary><c>POST /models/{id}/deploy</c>: the strategy; a canary's share, steps and rollback thresholds.</summary>
public sealed record DeployRequest
{
    /// <summary>The version to deploy, unless the route names it as <c>name:version</c>.</summary>
    [JsonPropertyName("version")] public string? Version { get; init; }

    /// <summary>immediate, blue-green, canary or rolling.</summary>
    [JsonPropertyName("strategy")] public string? Strategy { get; init; }

    /// <summary>A canary's first share of the traffic, in percent.</summary>
    [JsonPropertyName("canary_percent")] public double? CanaryPercent { get; init; }

    /// <summary>How much each step adds (by <c>POST /deployments/{id}/promote</c> or the schedule); the first share by default.</summary>
    [JsonPropertyName("step_percent")] public double? StepPercent { get; init; }

    /// <summary>Seconds between automatic steps; without it the canary steps only when promoted.</summary>
    [JsonPropertyName("step_interval_seconds")] public double? StepIntervalSeconds { get; init; }

    /// <summary>Roll back when the canary's error rate exceeds the stable version's by more than this (0 to 1).</summary>
    [JsonPropertyName("max_error_rate_increase")] public double? MaxErrorRateIncrease { get; init; }

    /// <summary>Roll back when the canary's p95 latency exceeds the stable version's times this.</summary>
    [JsonPropertyName("max_latency_ratio")] public double? MaxLatencyRatio { get; init; }

    /// <summary>Calls each side needs before the canary is judged.</summary>
    [JsonPropertyName("min_requests")] public int? MinRequests { get; init; }
}

/// <summary><c>POST /deployments/{id}/promote</c>: the share to set (percent), else one step more.</summary>
public sealed record PromoteRequest([property: JsonPropertyName("percent")] double? Percent);

public sealed record DeploymentEvent(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("percent")] double Percent,
    [property: JsonPropertyName("detail")] string? Detail);

/// <summary>A deployment's state and history, each side's numbers while a canary runs, the replicas a rolling one has reached.</summary>
public sealed record DeploymentResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("previous_version")] string? PreviousVersion,
    [property: JsonPropertyName("strategy")] string Strategy,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("percent")] double Percent,
    [property: JsonPropertyName("step_percent")] double StepPercent,
    [property: JsonPropertyName("step_interval_seconds")] double? StepIntervalSeconds,
    [property: JsonPropertyName("max_error_rate_increase")] double MaxErrorRateIncrease,
    [property: JsonPropertyName("max_latency_ratio")] double MaxLatencyRatio,
    [property: JsonPropertyName("min_requests")] int MinRequests,
    [property: JsonPropertyName("created_at")] DateTimeOffset Created,
    [property: JsonPropertyName("updated_at")] DateTimeOffset Updated,
    [property: JsonPropertyName("created_by")] string? CreatedBy,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("history")] IReadOnlyList<DeploymentEvent> History,
    [property: JsonPropertyName("arms")] IReadOnlyList<ArmHealth>? Arms,
    [property: JsonPropertyName("ready_replicas")] IReadOnlyList<string>? ReadyReplicas)
{
    internal static DeploymentResponse From(Deployment d, IReadOnlyList<ArmHealth>? arms = null) => new(
        d.Id, d.ModelId, d.Version, d.PreviousVersion, d.Strategy, d.Status, d.Percent, d.StepPercent, d.StepIntervalSeconds,
        d.MaxErrorRateIncrease, d.MaxLatencyRatio, d.MinimumRequests, d.Created, d.Updated, d.CreatedBy, d.Reason,
        JsonSerializer.Deserialize(d.History, LifecycleJsonContext.Default.ListDeploymentEvent) ?? [], arms,
        d.Strategy == DeploymentStrategies.Rolling ? ReplicaMembership.ReadyAddresses(d) : null);
}

/// <summary>One side of a split: its calls, error rate and p95 latency since the split began.</summary>
public sealed record ArmHealth(
    [property: JsonPropertyName("arm")] string Arm,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("error_rate")] double ErrorRate,
    [property: JsonPropertyName("latency_p95_ms")] double? LatencyP95Ms);
