namespace Inference.Lifecycle.Experiments;

/// <summary>
/// Turns each arm's calls into its summary and the test's significance: a two-proportion z-test on success (calls
/// that did not fail), Welch's t-test on the latency of successful calls and on feedback scores. The verdict follows
/// the test's success metrics in order: the first metric that differs significantly names the winner.
/// </summary>
public static class AbTestAnalysis
{
    /// <summary>One call of an arm as the audit log and the feedback table hold it.</summary>
    public sealed record Call(bool Ok, double LatencyMs, int? TokensIn, int? TokensOut, double? Feedback);

    public const string Success = "success";
    public const string Latency = "latency";
    public const string FeedbackMetric = "feedback";

    /// <summary>Maps a success metric's name (accuracy, response_time...) to what is measured.</summary>
    public static string? Metric(string name) => name.Trim().ToLowerInvariant() switch
    {
        "success" or "success_rate" or "accuracy" or "error_rate" or "errors" => Success,
        "response_time" or "latency" or "latency_ms" => Latency,
        "feedback" or "satisfaction" or "score" or "rating" => FeedbackMetric,
        _ => null,
    };

    public static ArmSummary Summarize(string arm, string model, IReadOnlyList<Call> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var latencies = calls.Where(c => c.Ok).Select(c => c.LatencyMs).ToList();
        var feedback = calls.Where(c => c.Feedback is not null).Select(c => c.Feedback!.Value).ToList();
        var errors = calls.Count(c => !c.Ok);
        return new ArmSummary(
            arm,
            model,
            calls.Count,
            errors,
            calls.Count == 0 ? null : (double)errors / calls.Count,
            latencies.Count == 0 ? null : Statistics.Percentile(latencies, 0.50),
            latencies.Count == 0 ? null : Statistics.Percentile(latencies, 0.95),
            latencies.Count == 0 ? null : latencies.Average(),
            calls.Sum(c => (long)(c.TokensIn ?? 0)),
            calls.Sum(c => (long)(c.TokensOut ?? 0)),
            feedback.Count,
            feedback.Count == 0 ? null : feedback.Average());
    }

    public static AbTestSignificance Analyze(IReadOnlyList<Call> a, IReadOnlyList<Call> b, IReadOnlyList<string> successMetrics)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(successMetrics);
        var success = SuccessTest(a, b);
        var latency = MeansTest([.. a.Where(c => c.Ok).Select(c => c.LatencyMs)], [.. b.Where(c => c.Ok).Select(c => c.LatencyMs)], higherIsBetter: false);
        var feedback = MeansTest(
            [.. a.Where(c => c.Feedback is not null).Select(c => c.Feedback!.Value)], [.. b.Where(c => c.Feedback is not null).Select(c => c.Feedback!.Value)], higherIsBetter: true);

        var order = successMetrics.Select(Metric).OfType<string>().Distinct().ToList();
        if (order.Count == 0)
        {
            order = [Success, Latency, FeedbackMetric];
        }

        foreach (var metric in order)
        {
            var test = metric switch { Success => success, Latency => latency, _ => feedback };
            if (test is { Significant: true, Better: { } winner })
            {
                return new(Statistics.Alpha, success, latency, feedback, winner == "a" ? "a_better" : "b_better", winner, metric);
            }
        }

        var judged = order.Select(m => m switch { Success => success, Latency => latency, _ => feedback }).ToList();
        var verdict = judged.All(t => t is null) ? "insufficient_data" : "no_significant_difference";
        return new(Statistics.Alpha, success, latency, feedback, verdict, null, null);
    }

    private static MetricTest? SuccessTest(IReadOnlyList<Call> a, IReadOnlyList<Call> b)
    {
        int okA = a.Count(c => c.Ok), okB = b.Count(c => c.Ok);
        if (Statistics.TwoProportionZTest(okA, a.Count, okB, b.Count) is not var (z, p))
        {
            return null;
        }

        double rateA = (double)okA / a.Count, rateB = (double)okB / b.Count;
        var required = Statistics.SampleSizeForProportions(rateA, rateB);
        return new MetricTest(
            "two_proportion_z", z, null, p, p < Statistics.Alpha, rateA == rateB ? null : rateB > rateA ? "b" : "a",
            required, required is { } n ? Math.Max(0, n - Math.Min(a.Count, b.Count)) : null);
    }

    private static MetricTest? MeansTest(IReadOnlyList<double> a, IReadOnlyList<double> b, bool higherIsBetter)
    {
        if (Statistics.WelchTTest(a, b) is not var (t, df, p))
        {
            return null;
        }

        var (meanA, varA) = Statistics.MeanAndVariance(a);
        var (meanB, varB) = Statistics.MeanAndVariance(b);
        var pooled = (((a.Count - 1) * varA) + ((b.Count - 1) * varB)) / (a.Count + b.Count - 2);
        var required = Statistics.SampleSizeForMeans(meanB - meanA, pooled);
        string? better = meanA == meanB ? null : (meanB > meanA) == higherIsBetter ? "b" : "a";
        return new MetricTest(
            "welch_t", t, df, p, p < Statistics.Alpha, better, required, required is { } n ? Math.Max(0, n - Math.Min(a.Count, b.Count)) : null);
    }
}
