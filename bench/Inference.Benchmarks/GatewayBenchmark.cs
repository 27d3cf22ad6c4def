using System.Diagnostics;
using System.Text;

namespace Inference.Benchmarks;

/// <summary>
/// The gateway's added latency: the same short uncacheable chat request sent to the Worker directly and through
/// the Api (which forwards to that Worker over HTTP), sequentially, p50/p99; then cached-response throughput of the Api,
/// with its cache in memory and, when redis-server is installed, in Redis.
/// Both services run as their own processes on loopback, from their Release builds.
/// </summary>
internal static class GatewayBenchmark
{
    private const int Requests = 400;

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15);

    public static async Task RunAsync(string modelsDirectory, string repositoryRoot)
    {
        var workerPort = BenchProcess.FreePort();
        using var worker = BenchProcess.Start(repositoryRoot, "Inference.Worker", workerPort, ("Inference__ModelsDirectory", modelsDirectory), ("Inference__Models__wordnet-chat-1m__Path", "wordnet-chat-1m"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await BenchProcess.WaitReadyAsync(http, workerPort);
            await MeasureGatewayAsync(http, repositoryRoot, modelsDirectory, workerPort, redis: null);
            if (RedisAvailable())
            {
                var redisPort = BenchProcess.FreePort();
                using var redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                {
                    RedirectStandardOutput = true,
                })!;
                try
                {
                    await MeasureGatewayAsync(http, repositoryRoot, modelsDirectory, workerPort, redis: $"127.0.0.1:{redisPort}");
                }
                finally
                {
                    BenchProcess.Stop(redis);
                }
            }
        }
        finally
        {
            BenchProcess.Stop(worker);
        }
    }

    /// <summary>The Api wired to the Worker as an AppHost wires it (services__worker__http__0), with the given cache.</summary>
    private static async Task MeasureGatewayAsync(HttpClient http, string repositoryRoot, string modelsDirectory, int workerPort, string? redis)
    {
        var apiPort = BenchProcess.FreePort();
        var cacheName = redis is null ? "in-memory cache" : "Redis cache";
        List<(string, string)> environment =
        [
            ("Inference__ModelsDirectory", modelsDirectory),
            ("Inference__Models__m2v-bge-base-vocabq-64d__Path", "m2v-bge-base-vocabq-64d"),
            ("services__worker__http__0", $"http://127.0.0.1:{workerPort}"),
            ("Inference__Metadata__SqlitePath", Path.Combine(Path.GetTempPath(), $"bench-metadata-{apiPort}.db")),
        ];
        if (redis is not null)
        {
            environment.Add(("ConnectionStrings__cache", redis));
        }

        using var api = BenchProcess.Start(repositoryRoot, "Inference.Api", apiPort, [.. environment]);
        try
        {
            await BenchProcess.WaitReadyAsync(http, apiPort);

            // Sampling without a seed is never cached (by the Api or by the Worker), so every request runs the model;
            // top_k 1 makes it produce the same 8 tokens every time, so both paths do the same work.
            var (direct, gateway) = await MeasureAsync(http, workerPort, apiPort, _ => Body("\"temperature\":0.5,\"top_k\":1"));
            Console.WriteLine($"[{cacheName}] worker direct: p50 {Percentile(direct, 50):F2} ms, p99 {Percentile(direct, 99):F2} ms ({Requests} requests, 8 tokens each)");
            Console.WriteLine($"[{cacheName}] api -> worker: p50 {Percentile(gateway, 50):F2} ms, p99 {Percentile(gateway, 99):F2} ms");
            Console.WriteLine($"[{cacheName}] gateway added: p50 {Percentile(gateway, 50) - Percentile(direct, 50):F2} ms, p99 {Percentile(gateway, 99) - Percentile(direct, 99):F2} ms");

            // The same load first unmeasured: on 2 cores the JIT's tier-1 recompilation of the hot path takes seconds and
            // would otherwise be counted against whichever configuration runs first.
            var cached = Body("\"temperature\":0");
            await CachedLoadAsync(http, apiPort, cached, TimeSpan.FromSeconds(10));
            var rate = await CachedLoadAsync(http, apiPort, cached, TimeSpan.FromSeconds(5));
            Console.WriteLine($"[{cacheName}] api cached responses: {rate:F0} requests/s (8 concurrent clients, every call audited)");
        }
        finally
        {
            BenchProcess.Stop(api);
        }
    }

    private static async Task<double> CachedLoadAsync(HttpClient http, int apiPort, string body, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                await SendAsync(http, apiPort, body);
                Interlocked.Increment(ref done);
            }
        }));
        return done / clock.Elapsed.TotalSeconds;
    }

    private static bool RedisAvailable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "redis-server")));

    private static string Body(string sampling) =>
        "{\"model\":\"wordnet-chat-1m\",\"max_tokens\":8," + sampling + ",\"messages\":[{\"role\":\"user\",\"content\":\"What does \\\"dog\\\" mean?\"}]}";

    /// <summary>
    /// Direct and gateway requests alternate, so background load affects both alike, after both paths have run for
    /// <see cref="WarmUp"/>: on 2 cores the JIT's tier-1 recompilation of either service's hot path takes seconds, and
    /// measured before it settles a path's median says how far its compilation got (50 requests of warm-up gave
    /// 2.3-3.6 ms "added" where the settled hop adds about 1).
    /// </summary>
    private static async Task<(List<double> Direct, List<double> Gateway)> MeasureAsync(HttpClient http, int directPort, int gatewayPort, Func<int, string> body)
    {
        var warming = Stopwatch.StartNew();
        for (var i = 0; warming.Elapsed < WarmUp; i++)
        {
            await SendAsync(http, directPort, body(-i - 1));
            await SendAsync(http, gatewayPort, body(-i - 1));
        }

        var direct = new List<double>(Requests);
        var gateway = new List<double>(Requests);
        for (var i = 0; i < Requests; i++)
        {
            var clock = Stopwatch.StartNew();
            await SendAsync(http, directPort, body(i));
            direct.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            await SendAsync(http, gatewayPort, body(i));
            gateway.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (direct, gateway);
    }

    private static async Task SendAsync(HttpClient http, int port, string body)
    {
        using var response = await http.PostAsync($"http://127.0.0.1:{port}/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }

    private static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, sorted.Length * percentile / 100)];
    }
}
