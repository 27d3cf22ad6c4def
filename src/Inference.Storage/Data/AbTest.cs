namespace Inference.Storage.Data;

/// <summary>An A/B test (<c>POST /ab-tests/start</c>): requests for model A's name split between A and B.</summary>
public sealed class AbTest
{
    public required string Id { get; set; }

    /// <summary>A model reference: a name or <c>name:version</c>.</summary>
    public required string ModelA { get; set; }

    public required string ModelB { get; set; }

    /// <summary>The name whose requests are split (model A's name).</summary>
    public required string Route { get; set; }

    /// <summary>B's share of the traffic, 0 to 1.</summary>
    public double TrafficSplit { get; set; }

    /// <summary>The metrics the test is judged on, as a JSON array.</summary>
    public string SuccessMetrics { get; set; } = "[]";

    /// <summary>running, stopped or completed.</summary>
    public required string Status { get; set; }

    public DateTimeOffset Started { get; set; }

    public DateTimeOffset? Ends { get; set; }

    public DateTimeOffset? Stopped { get; set; }

    public string? CreatedBy { get; set; }
}
