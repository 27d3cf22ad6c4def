using System.Text.Json.Serialization;
using Inference.Serving.Catalog;

namespace Inference.Serving.Local;

/// <summary>One model in <c>/ready</c>'s data: requests waiting, and for local models the queue and its backpressure.</summary>
public sealed record ModelReadiness(
    [property: JsonPropertyName("queue_depth")] int QueueDepth,
    [property: JsonPropertyName("queue_metrics")] QueueMetrics? QueueMetrics,
    [property: JsonPropertyName("backpressure_status")] Backpressure? BackpressureStatus)
{
    public static ModelReadiness Of(ServedModel model, BackpressureOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        var queue = model.Status is { } status ? QueueMetrics.Of(status) : null;
        return new(model.QueueDepth?.Invoke() ?? 0, queue, queue is null ? null : Backpressure.Of(queue, options));
    }
}
