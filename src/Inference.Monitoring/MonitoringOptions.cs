namespace Inference.Monitoring;

/// <summary>How a service watches itself (<c>Inference:Monitoring</c>; the backpressure thresholds there are <see cref="Inference.Serving.Catalog.BackpressureOptions"/>).</summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Inference:Monitoring";

    /// <summary>How often health, memory, alerts and the services it routes to are sampled, and a snapshot event sent.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long finished calls are kept for rates, percentiles and the performance report.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>At most this many finished calls are kept (the oldest go first).</summary>
    public int MaxCalls { get; set; } = 100_000;

    /// <summary>How long a status request to a service this one routes to may take.</summary>
    public TimeSpan ServiceTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
