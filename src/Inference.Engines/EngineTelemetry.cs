using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Inference.Engines;

/// <summary>
/// The metrics every engine reports, per model (the <c>model</c> tag), under one meter name that ServiceDefaults
/// exports. Counters and histograms are recorded by the engines; gauges read each loaded model's
/// <see cref="IModelRuntimeStatus"/>.
/// </summary>
public static class EngineTelemetry
{
    public const string MeterName = "Inference.Engines";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<IModelRuntimeStatus, byte> Models = new();

    public static Counter<long> PromptTokens { get; } = Meter.CreateCounter<long>("inference.engine.prompt_tokens", "{token}", "Prompt tokens processed.");

    public static Counter<long> GeneratedTokens { get; } = Meter.CreateCounter<long>("inference.engine.generated_tokens", "{token}", "Tokens generated.");

    public static Histogram<double> TimeToFirstToken { get; } = Meter.CreateHistogram<double>("inference.engine.time_to_first_token", "s", "Time from a request's arrival at the model to its first generated text.");

    public static Histogram<int> DecodeBatchSize { get; } = Meter.CreateHistogram<int>("inference.engine.decode_batch_size", "{sequence}", "Sequences sharing one decode step of a model.");

    public static Counter<long> Rejected { get; } = Meter.CreateCounter<long>("inference.engine.rejected", "{request}", "Requests refused because the model's queue was full.");

    public static Counter<long> PrefixLookups { get; } = Meter.CreateCounter<long>("inference.engine.prefix_cache.lookups", "{request}", "Requests looked up in the prefix cache.");

    public static Counter<long> PrefixHits { get; } = Meter.CreateCounter<long>("inference.engine.prefix_cache.hits", "{request}", "Requests whose prompt began with a cached prefix.");

    public static Counter<long> PrefixReusedTokens { get; } = Meter.CreateCounter<long>("inference.engine.prefix_cache.reused_tokens", "{token}", "Prompt tokens taken from the prefix cache instead of computed.");

    static EngineTelemetry()
    {
        Gauge("inference.engine.queue_depth", "{request}", "Requests waiting for a model.", m => m.QueueDepth);
        Gauge("inference.engine.active_sequences", "{sequence}", "Requests a model is running now.", m => m.ActiveSequences);
        Meter.CreateObservableGauge(
            "inference.engine.batch_occupancy",
            () => Models.Keys.Select(m => new Measurement<double>(m.MaxSequences > 0 ? (double)m.ActiveSequences / m.MaxSequences : 0, Tag(m))),
            "1",
            "Share of a model's sequence slots in use.");
        Meter.CreateObservableGauge(
            "inference.engine.kv_cells_used",
            () => Models.Keys.Where(m => m.KvCellsUsed is not null).Select(m => new Measurement<int>(m.KvCellsUsed!.Value, Tag(m))),
            "{cell}",
            "Key/value cache cells in use.");
        Meter.CreateObservableGauge(
            "inference.engine.kv_cells_capacity",
            () => Models.Keys.Where(m => m.KvCellsCapacity is not null).Select(m => new Measurement<int>(m.KvCellsCapacity!.Value, Tag(m))),
            "{cell}",
            "Key/value cache cells in all.");
        Meter.CreateObservableGauge(
            "inference.engine.tokens_per_second",
            () => Models.Keys.Select(m => new Measurement<double>(m.TokensPerSecond, Tag(m))),
            "{token}/s",
            "Tokens generated per second over the last 10 seconds.");
    }

    public static KeyValuePair<string, object?> Tag(string model) => new("model", model);

    /// <summary>Reports the model's gauges until <see cref="Untrack"/>.</summary>
    public static void Track(IModelRuntimeStatus model) => Models.TryAdd(model, 0);

    public static void Untrack(IModelRuntimeStatus model) => Models.TryRemove(model, out _);

    private static KeyValuePair<string, object?> Tag(IModelRuntimeStatus model) => Tag(model.Model);

    private static void Gauge(string name, string unit, string description, Func<IModelRuntimeStatus, int> read) =>
        Meter.CreateObservableGauge(name, () => Models.Keys.Select(m => new Measurement<int>(read(m), Tag(m))), unit, description);
}
