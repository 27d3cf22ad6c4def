using System.Diagnostics;
using Inference.Onnx.Tokenization;

namespace Inference.Benchmarks;

/// <summary>
/// The Worker serving one ONNX chat folder as its own process, driven over HTTP: 1, 4 and 8 concurrent streamed
/// completions (128-token prompts, 128 new tokens, greedy, ignore_eos), with the engine's decode batch
/// (<c>ChatBatchSize</c> 8) and without it (1: one request at a time, as before batching), the two Workers alternating.
/// Aggregate is every stream's tokens over the wall time from the first request to the last token, prefill included.
/// </summary>
internal static class OnnxHttpBenchmark
{
    private const int Runs = 3;

    public static async Task RunAsync(string folder, int threads, string repositoryRoot)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var tokenizer = ModelTokenizerLoader.Load(folder);
        var random = new Random(2);
        var results = new Dictionary<(int Batch, int Streams), List<(double Aggregate, double Steady, double FirstToken)>>();
        for (var run = 0; run < Runs; run++)
        {
            foreach (var batch in new[] { 8, 1 })
            {
                var port = BenchProcess.FreePort();
                var worker = BenchProcess.Start(repositoryRoot, "Inference.Worker", port,
                    ("Inference__Models__bench__Path", folder),
                    ("Inference__Engine__IntraOpThreads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("Inference__Engine__ChatBatchSize", batch.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("Inference__Cache__Enabled", "false"));
                try
                {
                    await BenchProcess.WaitReadyAsync(http, port);
                    await StreamsAsync(http, port, tokenizer, random, 2); // warm-up
                    foreach (var streams in LlamaBench.Streams)
                    {
                        var key = (batch, streams);
                        if (!results.TryGetValue(key, out var list))
                        {
                            results[key] = list = [];
                        }

                        list.Add(await StreamsAsync(http, port, tokenizer, random, streams));
                    }

                    if (run == Runs - 1)
                    {
                        Console.WriteLine($"onnx http, batch {batch}: worker peak memory {BenchProcess.PeakMemoryMiB(worker)} MiB");
                    }
                }
                finally
                {
                    BenchProcess.Stop(worker);
                }
            }
        }

        foreach (var ((batch, streams), list) in results.OrderByDescending(r => r.Key.Batch).ThenBy(r => r.Key.Streams))
        {
            Console.WriteLine($"onnx http, batch {batch}, {streams} streams: aggregate {LlamaBench.Range([.. list.Select(r => r.Aggregate)])} tok/s " +
                $"(steady decode {LlamaBench.Range([.. list.Select(r => r.Steady)])}), time to first token {LlamaBench.Range([.. list.Select(r => r.FirstToken)], "F0")} ms");
        }

        foreach (var batch in new[] { 8, 1 })
        {
            var single = results[(batch, 1)].Select(r => r.Aggregate).ToList();
            var eight = results[(batch, 8)].Select(r => r.Aggregate).ToList();
            Console.WriteLine($"onnx http, batch {batch}: 8 streams / 1 stream, run by run: {string.Join(", ", single.Zip(eight, (a, b) => (b / a).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}");
        }
    }

    private static async Task<(double Aggregate, double Steady, double FirstToken)> StreamsAsync(HttpClient http, int port, ModelTokenizer tokenizer, Random random, int streams)
    {
        var prompts = Enumerable.Range(0, streams).Select(_ => LlamaHttpBenchmark.Text(t => tokenizer.Encode(t).Length, random, LlamaBench.PromptTokens)).ToList();
        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(prompts.Select(prompt => LlamaHttpBenchmark.StreamAsync(http, port, "/v1/completions", new
        {
            model = "bench",
            prompt,
            max_tokens = LlamaBench.NewTokens,
            temperature = 0,
            ignore_eos = true,
            stream = true,
            stream_options = new { include_usage = true },
        })));
        if (results.Any(r => r.Tokens != LlamaBench.NewTokens))
        {
            throw new InvalidOperationException("a stream did not produce every token");
        }

        var last = results.Max(r => r.Chunks[^1]);
        return (streams * LlamaBench.NewTokens / Stopwatch.GetElapsedTime(started, last).TotalSeconds,
            streams == 1 ? double.NaN : LlamaBench.SteadyDecode([.. results.Select(r => r.Chunks)]) * LlamaBench.NewTokens / results.Average(r => r.Chunks.Count),
            LlamaBench.Median(results.Select(r => Stopwatch.GetElapsedTime(started, r.Chunks[0]).TotalMilliseconds)));
    }
}
