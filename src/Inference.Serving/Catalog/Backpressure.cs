using System.Text.Json.Serialization;

namespace Inference.Serving.Catalog;

/// <summary>healthy, warning or critical by the queue's utilisation (waiting ÷ capacity), as the monitor reports it.</summary>
public sealed record Backpressure(
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("utilization")] double Utilization)
{
    public const string Healthy = "healthy";
    public const string Warning = "warning";
    public const string Critical = "critical";

    public static Backpressure Of(QueueMetrics queue, BackpressureOptions options)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(options);
        var utilization = queue.Capacity <= 0 ? (queue.Pending > 0 ? 1 : 0) : Math.Min(1, (double)queue.Pending / queue.Capacity);
        var level = utilization >= options.BackpressureCritical ? Critical
            : utilization >= options.BackpressureWarning ? Warning
            : Healthy;
        return new Backpressure(level, Math.Round(utilization, 4));
    }
}
