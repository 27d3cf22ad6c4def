using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Benchmarks;

/// <summary>
/// A 1,000-item seed 003 job (<c>POST /api/inference/batch</c>, chat items of wordnet-chat-1m, 24 new tokens each)
/// through the Api as its own process (embedded SQLite as the queue, 8 items at once), routed to one or two Worker
/// processes as addressed replicas; the time from acceptance to completion, the configurations alternating.
/// </summary>
internal static class JobBenchmark
{
    private const int Items = 1000;
    private const int Runs = 2;

    public static async Task RunAsync(string modelsDirectory, string repositoryRoot)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var results = new Dictionary<int, List<double>> { [1] = [], [2] = [] };
        var direct = new Dictionary<int, List<double>> { [1] = [], [2] = [] };
        for (var run = 0; run < Runs; run++)
        {
            foreach (var replicas in new[] { 1, 2 })
            {
                var (job, calls) = await OnceAsync(http, modelsDirectory, repositoryRoot, replicas);
                results[replicas].Add(job);
                direct[replicas].Add(calls);
            }
        }

        foreach (var (replicas, seconds) in results)
        {
            Console.WriteLine($"job of {Items} items, {replicas} Worker replica(s): {LlamaBench.Range(seconds)} s ({LlamaBench.Range([.. seconds.Select(s => Items / s)], "F0")} items/s); " +
                $"the same requests as /infer calls, 8 at once: {LlamaBench.Range(direct[replicas], "F0")} calls/s");
        }
    }

    private static async Task<(double Job, double Calls)> OnceAsync(HttpClient http, string models, string root, int replicas)
    {
        var data = Directory.CreateTempSubdirectory("job-bench-").FullName;
        var workers = new List<(Process Process, int Port)>();
        Process? api = null;
        try
        {
            for (var i = 0; i < replicas; i++)
            {
                var port = BenchProcess.FreePort();
                workers.Add((BenchProcess.Start(root, "Inference.Worker", port,
                    ("Inference__ModelsDirectory", models),
                    ("Inference__Models__bench__Path", "wordnet-chat-1m"),
                    ("Inference__Engine__IntraOpThreads", "1"),
                    ("Inference__Cache__Enabled", "false")), port));
            }

            foreach (var (_, port) in workers)
            {
                await BenchProcess.WaitReadyAsync(http, port);
            }

            var apiPort = BenchProcess.FreePort();
            var environment = new List<(string, string)>
            {
                ("Inference__ModelsDirectory", models),
                ("Inference__Models__m2v__Path", "m2v-bge-base-vocabq-64d"),
                ("Inference__Remote__bench__Provider", "worker"),
                ("Inference__Metadata__SqlitePath", Path.Combine(data, "metadata.db")),
                ("Inference__Metadata__Audit__SpillDirectory", Path.Combine(data, "spill")),
                ("Inference__Cache__Enabled", "false"),
                ("Inference__Jobs__Concurrency", "8"),
                ("Inference__Jobs__PollInterval", "00:00:00.1"),
            };
            environment.AddRange(workers.Select((w, i) => ($"Inference__Remote__bench__Replicas__{i}", $"http://127.0.0.1:{w.Port}/")));
            api = BenchProcess.Start(root, "Inference.Api", apiPort, [.. environment]);
            await BenchProcess.WaitReadyAsync(http, apiPort);

            var requests = Enumerable.Range(0, Items).Select(i => new { text = $"word {i}", model = "bench", parameters = new { temperature = 0, max_length = 24 } }).ToList();

            // The peer: the same requests sent as /infer calls by 8 clients (no queue between).
            var next = -1;
            var calling = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < Items; i = Interlocked.Increment(ref next))
                {
                    using var call = await http.PostAsJsonAsync($"http://127.0.0.1:{apiPort}/infer", requests[i]);
                    call.EnsureSuccessStatusCode();
                }
            }));
            var calls = Items / Stopwatch.GetElapsedTime(calling).TotalSeconds;

            var started = Stopwatch.GetTimestamp();
            using var accepted = await http.PostAsJsonAsync($"http://127.0.0.1:{apiPort}/api/inference/batch", new { requests });
            accepted.EnsureSuccessStatusCode();
            var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString();
            while (true)
            {
                var job = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{apiPort}/api/inference/jobs/{id}?results=false");
                if (job.GetProperty("status").GetString() == "completed")
                {
                    if (job.GetProperty("succeeded").GetInt32() != Items)
                    {
                        throw new InvalidOperationException($"only {job.GetProperty("succeeded").GetInt32()} of {Items} items succeeded");
                    }

                    return (Stopwatch.GetElapsedTime(started).TotalSeconds, calls);
                }

                await Task.Delay(100);
            }
        }
        finally
        {
            if (api is not null)
            {
                BenchProcess.Stop(api);
            }

            foreach (var (process, _) in workers)
            {
                BenchProcess.Stop(process);
            }

            Directory.Delete(data, recursive: true);
        }
    }
}
