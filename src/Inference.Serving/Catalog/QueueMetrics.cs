using System.Text.Json.Serialization;
using Inference.Engines;

namespace Inference.Serving.Catalog;

/// <summary>A local model's queue now, under the monitor's names: waiting, running, and how many may wait and run.</summary>
public sealed record QueueMetrics(
    [property: JsonPropertyName("pending_messages")] int Pending,
    [property: JsonPropertyName("active_processing")] int Active,
    [property: JsonPropertyName("queue_capacity")] int Capacity,
    [property: JsonPropertyName("max_sequences")] int MaxSequences,
    [property: JsonPropertyName("kv_cells_used")] int? KvCellsUsed,
    [property: JsonPropertyName("kv_cells_capacity")] int? KvCellsCapacity,
    [property: JsonPropertyName("tokens_per_second")] double TokensPerSecond)
{
    public static QueueMetrics Of(IModelRuntimeStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(status.QueueDepth, status.ActiveSequences, status.QueueCapacity, status.MaxSequences, status.KvCellsUsed, status.KvCellsCapacity, Math.Round(status.TokensPerSecond, 2));
    }
}
