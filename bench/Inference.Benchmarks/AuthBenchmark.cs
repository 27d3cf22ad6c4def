using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Inference.Benchmarks;

/// <summary>
/// What authentication and per-key limits cost a request: cached chat responses of an Api process (the model in
/// process, so the model's time does not hide the overhead), 8 concurrent clients, with authentication off, with a key
/// without limits, with a key with request, token and concurrency limits counted in memory, and (when redis-server is
/// installed) counted in Redis. Configurations alternate over rounds, so warm-up and background load affect all alike.
/// </summary>
internal static class AuthBenchmark
{
    private const string AdminKey = "bench-admin-key-0123456789abcdef";
    private static readonly string Body =
        "{\"model\":\"wordnet-chat-1m\",\"max_tokens\":8,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"What does \\\"dog\\\" mean?\"}]}";

    public static async Task RunAsync(string modelsDirectory, string repositoryRoot)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Process? redis = null;
        string? redisConnection = null;
        if ((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "redis-server"))))
        {
            var redisPort = BenchProcess.FreePort();
            redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
            redisConnection = $"127.0.0.1:{redisPort}";
        }

        var configurations = new List<(string Name, bool Auth, object? Limits, string? Redis)>
        {
            ("auth off", false, null, null),
            ("key, no limits", true, null, null),
            ("key with limits (memory)", true, new { requests_per_minute = 10_000_000, tokens_per_minute = 1_000_000_000, max_concurrent_requests = 64 }, null),
        };
        if (redisConnection is not null)
        {
            configurations.Add(("key with limits (Redis)", true, new { requests_per_minute = 10_000_000, tokens_per_minute = 1_000_000_000, max_concurrent_requests = 64 }, redisConnection));
        }

        var results = configurations.ToDictionary(c => c.Name, _ => new List<double>());
        try
        {
            for (var round = 0; round < 3; round++)
            {
                foreach (var configuration in configurations)
                {
                    results[configuration.Name].Add(await MeasureAsync(http, repositoryRoot, modelsDirectory, configuration.Auth, configuration.Limits, configuration.Redis));
                }
            }
        }
        finally
        {
            if (redis is not null)
            {
                BenchProcess.Stop(redis);
            }
        }

        var baseline = results["auth off"].Average();
        foreach (var (name, rates) in results)
        {
            Console.WriteLine($"[auth] {name}: {string.Join(" / ", rates.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} requests/s (mean {rates.Average() / baseline:P0} of auth off)");
        }
    }

    private static async Task<double> MeasureAsync(HttpClient http, string repositoryRoot, string modelsDirectory, bool auth, object? limits, string? redis)
    {
        var port = BenchProcess.FreePort();
        List<(string, string)> environment =
        [
            ("Inference__ModelsDirectory", modelsDirectory),
            ("Inference__Models__wordnet-chat-1m__Path", "wordnet-chat-1m"),
            ("Inference__Metadata__SqlitePath", Path.Combine(Path.GetTempPath(), $"bench-auth-{port}.db")),
            ("Inference__Auth__Enabled", auth ? "true" : "false"),
            ("Inference__Auth__AdminKey", AdminKey),
        ];
        if (redis is not null)
        {
            environment.Add(("ConnectionStrings__cache", redis));
        }

        using var api = BenchProcess.Start(repositoryRoot, "Inference.Api", port, [.. environment]);
        try
        {
            await BenchProcess.WaitReadyAsync(http, port);
            string? key = null;
            if (auth)
            {
                // The metadata database may still be migrating when the service turns ready: retry its 503.
                HttpResponseMessage created;
                var deadline = Stopwatch.StartNew();
                do
                {
                    using var create = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/api/keys") { Content = JsonContent.Create(new { name = "bench", limits }) };
                    create.Headers.Authorization = new("Bearer", AdminKey);
                    created = await http.SendAsync(create);
                    if (created.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || deadline.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        break;
                    }

                    created.Dispose();
                    await Task.Delay(500);
                }
                while (true);

                using var answer = created.EnsureSuccessStatusCode();
                key = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString();
            }

            await LoadAsync(http, port, key, TimeSpan.FromSeconds(8));
            return await LoadAsync(http, port, key, TimeSpan.FromSeconds(5));
        }
        finally
        {
            BenchProcess.Stop(api);
        }
    }

    private static async Task<double> LoadAsync(HttpClient http, int port, string? key, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/v1/chat/completions") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
                if (key is not null)
                {
                    request.Headers.Authorization = new("Bearer", key);
                }

                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref done);
            }
        }));
        return done / clock.Elapsed.TotalSeconds;
    }
}
