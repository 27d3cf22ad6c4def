using System.Diagnostics.Metrics;
using Inference.LlamaCpp.Scheduling;

namespace Inference.LlamaCpp.Tests;

/// <summary>The engine's metrics, per model: tokens, time to first token, and the gauges of a running batch.</summary>
public sealed class EngineMetricsTests
{
    [Fact]
    public async Task A_running_batch_reports_occupancy_queue_kv_cells_throughput_and_time_to_first_token()
    {
        const string Id = "metrics-wordnet";
        using var model = GgufModels.Load(GgufModels.TinyRandom, GgufModels.Options(o => (o.MaxSequences, o.PrefixCache) = (2, false)), id: Id);
        var client = new LlamaChatClient(model);
        var recorded = new Dictionary<string, List<double>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.ToArray().Contains(new("model", Id)))
            {
                lock (recorded)
                {
                    (recorded.TryGetValue(instrument.Name, out var values) ? values : recorded[instrument.Name] = []).Add(value);
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        // Two run and a third waits; the gauges are read while they do.
        using var stop = new CancellationTokenSource();
        var running = new TaskCompletionSource();
        var started = 0;
        Task<(string, ChatFinishReason?)> Stream(string prompt, int tokens, TokenObserver? observer = null) =>
            Task.Run(() => GgufModels.Collect(client.Run(client.CreateRequest([new(ChatRole.User, prompt)], GgufModels.Greedy(tokens, raw: true), stop.Token, observer), stop.Token)));
        // The observer runs on the scheduler's thread: sleeping there keeps this tiny model's streams going for seconds.
        List<Task<(string, ChatFinishReason?)>> streams = [.. Enumerable.Range(0, 2).Select(i => Stream($"Story number {i}", 3000, (_, _) =>
        {
            Thread.Sleep(1);
            if (Interlocked.Increment(ref started) == 40)
            {
                running.TrySetResult();
            }
        }))];
        await running.Task;
        streams.Add(Stream("A short one", 5));
        await Eventually.HoldsAsync(() => Task.FromResult(model.Status.QueueDepth), n => n == 1);
        await Eventually.HoldsAsync(() => Task.FromResult(model.Status.TokensPerSecond), rate => rate > 0);
        listener.RecordObservableInstruments();
        stop.Cancel();
        await Task.WhenAll(streams.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        await Eventually.HoldsAsync(() => Task.FromResult(model.Status.ActiveSequences), n => n == 0);
        listener.RecordObservableInstruments();

        Assert.Equal([2, 0], recorded["inference.engine.active_sequences"]);
        Assert.Equal([1.0, 0.0], recorded["inference.engine.batch_occupancy"]);
        Assert.Equal([1, 0], recorded["inference.engine.queue_depth"]);
        Assert.True(recorded["inference.engine.kv_cells_used"][0] > 80, "two sequences hold their prompts and tokens");
        Assert.Equal(0, recorded["inference.engine.kv_cells_used"][1]);
        Assert.Equal(model.Scheduler.Capacity, recorded["inference.engine.kv_cells_capacity"][0]);
        Assert.True(recorded["inference.engine.tokens_per_second"][0] > 0);
        Assert.Equal(2, recorded["inference.engine.time_to_first_token"].Count);
        Assert.All(recorded["inference.engine.time_to_first_token"], s => Assert.InRange(s, 0, 30));
    }

    [Fact]
    public async Task A_finished_request_counts_its_prompt_and_generated_tokens()
    {
        const string Id = "metrics-tokens";
        using var model = GgufModels.Load(GgufModels.WordnetF32, id: Id);
        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineTelemetry.MeterName && instrument is Counter<long>)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (tags.ToArray().Contains(new("model", Id)))
            {
                lock (totals)
                {
                    totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
                }
            }
        });
        listener.Start();

        var response = await new LlamaChatClient(model).GetResponseAsync("What does \"dog\" mean?", GgufModels.Greedy());

        Assert.Equal(response.Usage!.InputTokenCount, totals["inference.engine.prompt_tokens"]);
        Assert.Equal(response.Usage.OutputTokenCount, totals["inference.engine.generated_tokens"]);
    }
}
