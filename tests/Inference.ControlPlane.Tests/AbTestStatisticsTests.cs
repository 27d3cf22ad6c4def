using Inference.Lifecycle.Experiments;

namespace Inference.ControlPlane.Tests;

/// <summary>
/// The A/B tests' statistics against values computed by hand (the formulas in Python's math module; the t
/// distribution's tail by numerical integration of its density), not by the code under test.
/// </summary>
public sealed class AbTestStatisticsTests
{
    private static readonly double[] LatencyA = [12.0, 15.5, 11.2, 14.8, 13.3, 16.1, 12.9, 14.0];
    private static readonly double[] LatencyB = [15.2, 17.8, 16.4, 18.9, 15.9, 17.1, 19.3, 16.6, 18.0, 17.4];

    [Theory]
    [InlineData(45, 100, 60, 100, 2.1239769762143657, 0.033672068856345876)]
    [InlineData(90, 100, 95, 100, 1.3423121104280473, 0.179494818373031)]
    public void The_two_proportion_z_test_matches_the_pooled_formula(int okA, int nA, int okB, int nB, double z, double p)
    {
        var (actualZ, actualP) = Statistics.TwoProportionZTest(okA, nA, okB, nB)!.Value;
        Assert.Equal(z, actualZ, 1e-12);
        Assert.Equal(p, actualP, 1e-10);
    }

    [Fact]
    public void Welch_s_t_test_matches_the_welch_satterthwaite_formula_and_the_t_tail()
    {
        var (t, df, p) = Statistics.WelchTTest(LatencyA, LatencyB)!.Value;
        Assert.Equal(4.8646514807681465, t, 1e-12);
        Assert.Equal(12.825784925684701, df, 1e-10);
        Assert.Equal(0.00032108868015295026, p, 1e-8);

        // Symmetric, and a t of 0 has a p of 1.
        Assert.Equal(-t, Statistics.WelchTTest(LatencyB, LatencyA)!.Value.T, 1e-12);
        Assert.Equal(1, Statistics.WelchTTest([1, 2, 3], [3, 2, 1])!.Value.P, 1e-12);
        Assert.Null(Statistics.WelchTTest([1], [2, 3]));
    }

    [Fact]
    public void The_distributions_agree_with_known_quantiles()
    {
        Assert.Equal(0.025, Statistics.NormalSf(1.959963984540054), 1e-12);
        Assert.Equal(0.5, Statistics.NormalSf(0), 1e-15);
        Assert.Equal(0.025, Statistics.StudentTSf(2.228138851986273, 10), 1e-10); // t(0.975, 10)
        Assert.Equal(0.05, Statistics.StudentTSf(1.6972608943617378, 30), 1e-8); // t(0.95, 30)
    }

    [Fact]
    public void Sample_sizes_follow_the_power_formulas()
    {
        Assert.Equal(173, Statistics.SampleSizeForProportions(0.45, 0.60));
        Assert.Null(Statistics.SampleSizeForProportions(0.5, 0.5));
        Assert.Equal(3, Statistics.SampleSizeForMeans(17.26 - 13.725, 2.2024375));
    }

    [Fact]
    public void The_verdict_follows_the_success_metrics_in_order()
    {
        // B is slower (significant) and as successful: by latency A wins; by success there is no difference.
        var a = LatencyA.Select(l => new AbTestAnalysis.Call(true, l, 10, 5, null)).ToList();
        var b = LatencyB.Select(l => new AbTestAnalysis.Call(true, l, 10, 5, null)).ToList();
        var byLatency = AbTestAnalysis.Analyze(a, b, ["response_time"]);
        Assert.Equal(("a_better", "a", "latency"), (byLatency.Verdict, byLatency.Winner, byLatency.DecidingMetric));
        Assert.Equal(0.00032108868015295026, byLatency.Latency!.PValue, 1e-8);
        Assert.Equal("no_significant_difference", AbTestAnalysis.Analyze(a, b, ["accuracy"]).Verdict);
        Assert.Equal("insufficient_data", AbTestAnalysis.Analyze([], [], ["feedback"]).Verdict);

        var summary = AbTestAnalysis.Summarize("a", "m", [.. a, new AbTestAnalysis.Call(false, 999, 3, null, 0.5)]);
        Assert.Equal((9, 1, 1.0 / 9, 83L, 40L, 1, 0.5), (summary.Requests, summary.Errors, summary.ErrorRate!.Value, summary.TokensIn, summary.TokensOut, summary.FeedbackCount, summary.FeedbackMean!.Value));
        Assert.Equal(13.3, summary.LatencyP50Ms); // nearest rank of the successful calls' latencies
        Assert.Equal(16.1, summary.LatencyP95Ms);
    }
}
