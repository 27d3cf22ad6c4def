using System.Diagnostics;

namespace Inference.Benchmarks;

/// <summary>The shape every llama.cpp measurement uses, and how streams' token times become rates.</summary>
internal static class LlamaBench
{
    public const int PromptTokens = 128;
    public const int NewTokens = 128;
    public static readonly int[] Streams = [1, 4, 8];

    /// <summary>
    /// Tokens per second while every stream was decoding: from the last stream's first token to the first stream's
    /// last, counting each token produced in between (what a batch of B decodes sustains, prefill excluded).
    /// </summary>
    public static double SteadyDecode(IReadOnlyList<IReadOnlyList<long>> streams)
    {
        var start = streams.Max(s => s[0]);
        var end = streams.Min(s => s[^1]);
        var tokens = streams.Sum(s => s.Count(t => t > start && t <= end));
        return end > start ? tokens / Stopwatch.GetElapsedTime(start, end).TotalSeconds : double.NaN;
    }

    public static double Median(IEnumerable<double> values) => ChatBenchmark.Median(values);

    public static string Range(IReadOnlyCollection<double> values, string format = "F1") =>
        values.Count == 0 ? "-" : $"{values.Min().ToString(format, System.Globalization.CultureInfo.InvariantCulture)}-{values.Max().ToString(format, System.Globalization.CultureInfo.InvariantCulture)}";
}
