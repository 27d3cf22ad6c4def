using System.Diagnostics.Metrics;

namespace Inference.Onnx;

/// <summary>The engine's metrics, under one meter name that ServiceDefaults exports.</summary>
public static class OnnxEngineTelemetry
{
    public const string MeterName = "Inference.Onnx";

    private static readonly Meter Meter = new(MeterName);

    public static Counter<long> PromptTokens { get; } = Meter.CreateCounter<long>("inference.engine.prompt_tokens", "{token}", "Prompt tokens processed.");

    public static Counter<long> GeneratedTokens { get; } = Meter.CreateCounter<long>("inference.engine.generated_tokens", "{token}", "Tokens generated.");

    public static Histogram<double> TimeToFirstToken { get; } = Meter.CreateHistogram<double>("inference.engine.time_to_first_token", "s", "Time from admission to the first generated text.");

    public static Counter<long> Rejected { get; } = Meter.CreateCounter<long>("inference.engine.rejected", "{request}", "Requests refused because the model's queue was full.");

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Scheduling.ModelRequestQueue, byte> Queues = new();

    static OnnxEngineTelemetry()
    {
        Meter.CreateObservableGauge(
            "inference.engine.queue_depth",
            () => Queues.Keys.Select(q => new Measurement<int>(q.Depth, new KeyValuePair<string, object?>("model", q.Model))),
            "{request}",
            "Requests waiting for a model.");
    }

    internal static void Track(Scheduling.ModelRequestQueue queue) => Queues.TryAdd(queue, 0);

    internal static void Untrack(Scheduling.ModelRequestQueue queue) => Queues.TryRemove(queue, out _);
}
