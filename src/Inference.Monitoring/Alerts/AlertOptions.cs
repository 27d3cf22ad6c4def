namespace Inference.Monitoring.Alerts;

/// <summary>
/// The thresholds of the alerts evaluated in the service (<c>Inference:Alerts</c>); the defaults are the usual ones (10% errors, 10 s p95, 85% memory), and
/// the same as <c>deploy/prometheus/inference-alerts.yml</c>.
/// </summary>
public sealed class AlertOptions
{
    public const string SectionName = "Inference:Alerts";

    /// <summary>A model's share of failed calls above which <c>HighErrorRate</c> fires.</summary>
    public double ErrorRate { get; set; } = 0.10;

    /// <summary>The window the error rate is taken over.</summary>
    public TimeSpan ErrorRateWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Calls a model must have had in the window before its error rate counts.</summary>
    public int MinimumCalls { get; set; } = 5;

    /// <summary>A model's 95th-percentile latency above which <c>HighLatency</c> fires.</summary>
    public TimeSpan LatencyP95 { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The window the latency percentile is taken over.</summary>
    public TimeSpan LatencyWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Memory use (percent of what the process may use) above which <c>HighMemoryUsage</c> fires.</summary>
    public double MemoryPercent { get; set; } = 85;

    /// <summary>A health score below which <c>LowHealthScore</c> fires.</summary>
    public double HealthScore { get; set; } = 70;

    /// <summary>Consecutive failed calls, with none succeeding since, after which a model is down (<c>ModelDown</c>).</summary>
    public int ModelDownAfter { get; set; } = 3;
}
