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

    public static CallStatistics Of(IReadOnlyCollection<InferenceCall> calls, TimeSpan window)
    {
        var seconds = Math.Max(window.TotalSeconds, 1e-9);
        var latencies = calls.Where(c => c.Status == InferenceCall.Ok).Select(c => c.Latency).Order().ToArray();
        var firstTokens = calls.Where(c => c.TimeToFirstToken is not null).Select(c => c.TimeToFirstToken!.Value).Order().ToArray();
        var speeds = calls
            .Where(c => c.Status == InferenceCall.Ok && c.OutputTokens > 1 && c.TimeToFirstToken is { } first && c.Latency > first)
            .Select(c => (c.OutputTokens!.Value - 1) / (c.Latency - c.TimeToFirstToken!.Value).TotalSeconds)
            .Order()
            .ToArray();
        var input = calls.Sum(c => (long)(c.InputTokens ?? 0));
        var output = calls.Sum(c => (long)(c.OutputTokens ?? 0));
        return new CallStatistics
        {
            Requests = calls.Count,
            Errors = calls.Count(c => c.Status == InferenceCall.Failed),
            Cancelled = calls.Count(c => c.Status == InferenceCall.Cancelled),
            CacheHits = calls.Count(c => c.CacheHit),
            LatencyP50 = Percentile(latencies, 0.50),
            LatencyP95 = Percentile(latencies, 0.95),
            LatencyP99 = Percentile(latencies, 0.99),
            TimeToFirstTokenP50 = Percentile(firstTokens, 0.50),
            TimeToFirstTokenP95 = Percentile(firstTokens, 0.95),
            InputTokens = input,
            OutputTokens = output,
            InputTokensPerSecond = input / seconds,
            OutputTokensPerSecond = output / seconds,
            OutputTokensPerSecondPerRequest = speeds.Length == 0 ? null : speeds[speeds.Length / 2],
        };
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    public static TimeSpan? Percentile(IReadOnlyList<TimeSpan> sorted, double quantile) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
}
