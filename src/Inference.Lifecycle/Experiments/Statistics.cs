namespace Inference.Lifecycle.Experiments;

/// <summary>
/// The statistics the A/B tests and canaries are judged by: percentiles (nearest rank, as the performance report),
/// the two-proportion z-test, Welch's t-test, and the sample size a difference needs (two-sided, α = 0.05, power 0.8).
/// </summary>
public static class Statistics
{
    public const double Alpha = 0.05;

    /// <summary>z for a two-sided α of 0.05.</summary>
    public const double ZAlpha = 1.959963984540054;

    /// <summary>z for a power of 0.8.</summary>
    public const double ZPower = 0.8416212335729143;

    /// <summary>The nearest-rank percentile of <paramref name="values"/> (sorted here), or NaN when there are none.</summary>
    public static double Percentile(IReadOnlyList<double> values, double quantile)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static (double Mean, double Variance) MeanAndVariance(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        var mean = values.Average();
        var variance = values.Count < 2 ? double.NaN : values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return (mean, variance);
    }

    /// <summary>Two-sided two-proportion z-test of <paramref name="successesA"/>/<paramref name="nA"/> against B's (pooled variance).</summary>
    public static (double Z, double P)? TwoProportionZTest(int successesA, int nA, int successesB, int nB)
    {
        if (nA == 0 || nB == 0)
        {
            return null;
        }

        var pooled = (double)(successesA + successesB) / (nA + nB);
        var se = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / nA) + (1.0 / nB)));
        if (se == 0)
        {
            return (0, 1);
        }

        var z = (((double)successesB / nB) - ((double)successesA / nA)) / se;
        return (z, 2 * NormalSf(Math.Abs(z)));
    }

    /// <summary>Two-sided Welch's t-test of B's mean against A's: t, the Welch–Satterthwaite degrees of freedom, and p.</summary>
    public static (double T, double DegreesOfFreedom, double P)? WelchTTest(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count < 2 || b.Count < 2)
        {
            return null;
        }

        var (meanA, varA) = MeanAndVariance(a);
        var (meanB, varB) = MeanAndVariance(b);
        var sa = varA / a.Count;
        var sb = varB / b.Count;
        if (sa + sb == 0)
        {
            return meanA == meanB ? (0, a.Count + b.Count - 2, 1) : null;
        }

        var t = (meanB - meanA) / Math.Sqrt(sa + sb);
        var df = (sa + sb) * (sa + sb) / ((sa * sa / (a.Count - 1)) + (sb * sb / (b.Count - 1)));
        return (t, df, 2 * StudentTSf(Math.Abs(t), df));
    }

    /// <summary>Per arm, the calls a two-sided test at α 0.05 with power 0.8 needs to tell these proportions apart.</summary>
    public static double? SampleSizeForProportions(double pA, double pB)
    {
        if (pA == pB)
        {
            return null;
        }

        var mean = (pA + pB) / 2;
        var n = (ZAlpha * Math.Sqrt(2 * mean * (1 - mean))) + (ZPower * Math.Sqrt((pA * (1 - pA)) + (pB * (1 - pB))));
        return Math.Ceiling(n * n / ((pA - pB) * (pA - pB)));
    }

    /// <summary>Per arm, the calls the same test needs to tell means <paramref name="difference"/> apart with this (pooled) variance.</summary>
    public static double? SampleSizeForMeans(double difference, double variance)
    {
        if (difference == 0 || double.IsNaN(variance) || double.IsNaN(difference))
        {
            return null;
        }

        var z = ZAlpha + ZPower;
        return Math.Ceiling(2 * z * z * variance / (difference * difference));
    }

    /// <summary>P(Z &gt; z) for a standard normal Z.</summary>
    public static double NormalSf(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>P(T &gt; t) for Student's t with <paramref name="df"/> degrees of freedom, t ≥ 0.</summary>
    public static double StudentTSf(double t, double df) => 0.5 * RegularizedIncompleteBeta(df / 2, 0.5, df / (df + (t * t)));

    /// <summary>The complementary error function, as Q(1/2, x²) of the regularized incomplete gamma function.</summary>
    public static double Erfc(double x)
    {
        // Numerical Recipes' erfc through the incomplete gamma function: Q(1/2, x²).
        if (x < 0)
        {
            return 2 - Erfc(-x);
        }

        return x == 0 ? 1 : RegularizedGammaQ(0.5, x * x);
    }

    private static double RegularizedGammaQ(double a, double x)
    {
        if (x < a + 1)
        {
            // Series for P, then Q = 1 - P.
            double sum = 1 / a, term = sum, ap = a;
            for (var n = 0; n < 500; n++)
            {
                ap++;
                term *= x / ap;
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * 1e-16)
                {
                    break;
                }
            }

            return 1 - (sum * Math.Exp(-x + (a * Math.Log(x)) - LogGamma(a)));
        }

        // Continued fraction for Q (Lentz).
        double b = x + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d;
        for (var i = 1; i < 500; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < 1e-300 ? 1e-300 : d;
            c = b + (an / c);
            c = Math.Abs(c) < 1e-300 ? 1e-300 : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return Math.Exp(-x + (a * Math.Log(x)) - LogGamma(a)) * h;
    }

    /// <summary>I_x(a, b), the regularized incomplete beta function (continued fraction, Numerical Recipes' betacf).</summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(a, b, x) / a
            : 1 - (front * BetaContinuedFraction(b, a, 1 - x) / b);
    }

    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double Tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - (qab * x / qap);
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 1000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9).</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = c[0];
        for (var i = 1; i < 9; i++)
        {
            sum += c[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }
}
