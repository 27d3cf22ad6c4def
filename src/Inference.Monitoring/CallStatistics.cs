using Inference.Serving.Auditing;

namespace Inference.Monitoring;

/// <summary>What a set of finished calls adds up to: counts, error rate, latency and time-to-first-token percentiles, token rates.</summary>
public sealed record CallStatistics
{
    public int Requests { get; init; }

    public int Errors { get; init; }

    public int Cancelled { get; init; }

    public int CacheHits { get; init; }

    /// <summary>Failed calls ÷ calls (cancelled ones are not failures).</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    public double CacheHitRate => Requests == 0 ? 0 : (double)CacheHits / Requests;

    public TimeSpan? LatencyP50 { get; init; }

    public TimeSpan? LatencyP95 { get; init; }

    public TimeSpan? LatencyP99 { get; init; }

    public TimeSpan? TimeToFirstTokenP50 { get; init; }

    public TimeSpan? TimeToFirstTokenP95 { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    /// <summary>Input tokens per second of the window (throughput, all calls together).</summary>
    public double InputTokensPerSecond { get; init; }

    /// <summary>Output tokens per second of the window (throughput, all calls together).</summary>
    public double OutputTokensPerSecond { get; init; }

    /// <summary>Median generation speed of one call: output tokens ÷ the time after its first token.</summary>
    public double? OutputTokensPerSecondPerRequest { get; init; }

    /// <remarks>
    /// One pass over the calls into arrays of ticks, sorted as numbers: the window holds up to 100,000 calls and is
    /// summarised at every sample, so LINQ's keyed sorts of <see cref="TimeSpan"/>s cost the service real CPU.
    /// </remarks>
    public static CallStatistics Of(IReadOnlyCollection<InferenceCall> calls, TimeSpan window)
    {
        var seconds = Math.Max(window.TotalSeconds, 1e-9);
        var latencies = new List<long>(calls.Count);
        var firstTokens = new List<long>();
        var speeds = new List<double>();
        long input = 0, output = 0;
        int errors = 0, cancelled = 0, cacheHits = 0;
        foreach (var call in calls)
        {
            input += call.InputTokens ?? 0;
            output += call.OutputTokens ?? 0;
            errors += call.Status == InferenceCall.Failed ? 1 : 0;
            cancelled += call.Status == InferenceCall.Cancelled ? 1 : 0;
            cacheHits += call.CacheHit ? 1 : 0;
            if (call.TimeToFirstToken is { } first)
            {
                firstTokens.Add(first.Ticks);
            }

            if (call.Status != InferenceCall.Ok)
            {
                continue;
            }

            latencies.Add(call.Latency.Ticks);
            if (call.OutputTokens > 1 && call.TimeToFirstToken is { } start && call.Latency > start)
            {
                speeds.Add((call.OutputTokens.Value - 1) / (call.Latency - start).TotalSeconds);
            }
        }

        latencies.Sort();
        firstTokens.Sort();
        speeds.Sort();
        return new CallStatistics
        {
            Requests = calls.Count,
            Errors = errors,
            Cancelled = cancelled,
            CacheHits = cacheHits,
            LatencyP50 = Percentile(latencies, 0.50),
            LatencyP95 = Percentile(latencies, 0.95),
            LatencyP99 = Percentile(latencies, 0.99),
            TimeToFirstTokenP50 = Percentile(firstTokens, 0.50),
            TimeToFirstTokenP95 = Percentile(firstTokens, 0.95),
            InputTokens = input,
            OutputTokens = output,
            InputTokensPerSecond = input / seconds,
            OutputTokensPerSecond = output / seconds,
            OutputTokensPerSecondPerRequest = speeds.Count == 0 ? null : speeds[speeds.Count / 2],
        };
    }

    /// <summary>The nearest-rank percentile of sorted durations, in ticks.</summary>
    private static TimeSpan? Percentile(List<long> sorted, double quantile) =>
        sorted.Count == 0 ? null : TimeSpan.FromTicks(sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)]);
}
