using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Inference.Onnx.Tokenization;
using NATS.Client.Core;

namespace Inference.Benchmarks;

/// <summary>
/// The Worker over NATS against the same Worker over HTTP: the round trip of a one-token completion (seed 004's input
/// body on <c>inference.request.MODEL</c> and on <c>POST /v1/completions</c>, alternating), p50 and p99; then the
/// aggregate tokens/s of 8 concurrent streamed completions (128-token prompts, 128 new tokens) through 1 and 2 Workers
/// sharing the subject's queue group. A nats-server of its own on a free port.
/// </summary>
internal static class NatsBenchmark
{
    private const int RoundTrips = 200;

    public static async Task RunAsync(string chat, int threads, string repositoryRoot)
    {
        var natsPort = BenchProcess.FreePort();
        var store = Directory.CreateTempSubdirectory("nats-bench-").FullName;
        using var server = Process.Start(new ProcessStartInfo("nats-server", ["-a", "127.0.0.1", "-p", natsPort.ToString(CultureInfo.InvariantCulture), "-js", "-sd", store])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("nats-server did not start (apt-get install -y nats-server).");
        var url = $"nats://127.0.0.1:{natsPort}";
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var workers = new List<(Process Process, int Port)>();
        try
        {
            workers.Add(await StartWorkerAsync(http, repositoryRoot, chat, threads, url, "a"));
            await using var nats = new NatsConnection(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromMinutes(5) });
            await nats.ConnectAsync();
            await WaitServedAsync(nats);

            var overNats = new List<double>();
            var overHttp = new List<double>();
            var body = new { input = "hi", @params = new { max_tokens = 1, temperature = 0 } };
            for (var i = 0; i < RoundTrips + 10; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await nats.RequestAsync<byte[], byte[]>("inference.request.bench", JsonSerializer.SerializeToUtf8Bytes(body));
                var natsMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                started = Stopwatch.GetTimestamp();
                using (var response = await http.PostAsJsonAsync($"http://127.0.0.1:{workers[0].Port}/v1/completions", new { model = "bench", body.input, body.@params }))
                {
                    response.EnsureSuccessStatusCode();
                    await response.Content.ReadAsByteArrayAsync();
                }

                var httpMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (i >= 10)
                {
                    overNats.Add(natsMs);
                    overHttp.Add(httpMs);
                }
            }

            Console.WriteLine($"one-token round trip over NATS: p50 {Percentile(overNats, 0.5):F2} ms, p99 {Percentile(overNats, 0.99):F2} ms; " +
                $"over HTTP: p50 {Percentile(overHttp, 0.5):F2} ms, p99 {Percentile(overHttp, 0.99):F2} ms ({RoundTrips} each, alternating)");

            var tokenizer = ModelTokenizerLoader.Load(chat);
            var random = new Random(4);
            foreach (var count in new[] { 1, 2 })
            {
                if (workers.Count < count)
                {
                    workers.Add(await StartWorkerAsync(http, repositoryRoot, chat, threads, url, "b"));
                    await Task.Delay(TimeSpan.FromSeconds(2)); // its subscriptions in place
                }

                await StreamsAsync(nats, tokenizer, random, 2); // warm-up
                var rates = new List<double>();
                for (var run = 0; run < 3; run++)
                {
                    rates.Add(await StreamsAsync(nats, tokenizer, random, 8));
                }

                Console.WriteLine($"8 streams over NATS through {count} Worker(s) in one queue group: aggregate {LlamaBench.Range(rates)} tok/s");
            }
        }
        finally
        {
            foreach (var (process, _) in workers)
            {
                BenchProcess.Stop(process);
            }

            server.Kill();
            server.WaitForExit();
            Directory.Delete(store, recursive: true);
        }
    }

    private static async Task<(Process, int)> StartWorkerAsync(HttpClient http, string root, string chat, int threads, string nats, string replica)
    {
        var port = BenchProcess.FreePort();
        var worker = BenchProcess.Start(root, "Inference.Worker", port,
            ("Inference__Models__bench__Path", chat),
            ("Inference__Engine__IntraOpThreads", threads.ToString(CultureInfo.InvariantCulture)),
            ("Inference__Cache__Enabled", "false"),
            ("ConnectionStrings__nats", nats),
            ("Inference__Nats__Replica", replica));
        await BenchProcess.WaitReadyAsync(http, port);
        return (worker, port);
    }

    private static async Task WaitServedAsync(NatsConnection nats)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                await nats.RequestAsync<byte[], byte[]>("models.bench.health", "{}"u8.ToArray(), replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(1) });
                return;
            }
            catch (NatsException)
            {
                await Task.Delay(200);
            }
        }

        throw new InvalidOperationException("The Worker did not answer on NATS.");
    }

    /// <summary>Streamed completions at once; every stream's tokens over the wall time from the first request to the last piece.</summary>
    private static async Task<double> StreamsAsync(NatsConnection nats, ModelTokenizer tokenizer, Random random, int streams)
    {
        var prompts = Enumerable.Range(0, streams).Select(_ => LlamaHttpBenchmark.Text(t => tokenizer.Encode(t).Length, random, LlamaBench.PromptTokens)).ToList();
        var started = Stopwatch.GetTimestamp();
        var tokens = await Task.WhenAll(prompts.Select(async prompt =>
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new { input = prompt, raw = true, stream = true, @params = new { max_tokens = LlamaBench.NewTokens, temperature = 0 } });
            await foreach (var message in nats.RequestManyAsync<byte[], byte[]>("inference.request.bench", body, replyOpts: new NatsSubOpts { IdleTimeout = TimeSpan.FromMinutes(2) }))
            {
                var reply = JsonDocument.Parse(message.Data!).RootElement;
                if (reply.TryGetProperty("done", out var done) && done.GetBoolean())
                {
                    return reply.GetProperty("tokens_out").GetInt32();
                }
            }

            return 0;
        }));
        return tokens.Sum() / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
