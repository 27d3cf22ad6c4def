namespace Inference.Storage.Data;

/// <summary>
/// Moving a model's traffic to a version (<c>POST /models/{id}/deploy</c>): immediate, blue-green, canary
/// (a share stepped up until it takes everything, rolled back when it does worse than the stable version) or rolling.
/// </summary>
public sealed class Deployment
{
    public required string Id { get; set; }

    public required string ModelId { get; set; }

    /// <summary>The version being deployed.</summary>
    public required string Version { get; set; }

    /// <summary>The version active before: where a rollback returns.</summary>
    public string? PreviousVersion { get; set; }

    /// <summary>immediate, blue-green, canary or rolling.</summary>
    public required string Strategy { get; set; }

    /// <summary>in_progress, completed, rolled_back.</summary>
    public required string Status { get; set; }

    /// <summary>The canary's share of the traffic now, 0 to 100.</summary>
    public double Percent { get; set; }

    /// <summary>How much the share grows per step (by API call or schedule).</summary>
    public double StepPercent { get; set; }

    /// <summary>Seconds between scheduled steps; null steps only by API call.</summary>
    public double? StepIntervalSeconds { get; set; }

    /// <summary>Roll back when the canary's error rate exceeds the stable one's by more than this (absolute, 0 to 1).</summary>
    public double MaxErrorRateIncrease { get; set; }

    /// <summary>Roll back when the canary's p95 latency exceeds the stable one's times this.</summary>
    public double MaxLatencyRatio { get; set; }

    /// <summary>Calls the canary must have had before its health is judged.</summary>
    public int MinimumRequests { get; set; }

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Updated { get; set; }

    public DateTimeOffset? LastStep { get; set; }

    public string? CreatedBy { get; set; }

    /// <summary>Why it ended as it did (the rollback's reason).</summary>
    public string? Reason { get; set; }

    /// <summary>A rolling deployment's Worker replicas that serve the new version, in order, as a JSON array of their addresses.</summary>
    public string ReadyReplicas { get; set; } = "[]";

    /// <summary>What happened, as a JSON array of { at, event, percent, detail }.</summary>
    public string History { get; set; } = "[]";
}
