using System.Net.Http.Json;
using System.Text.Json;
using InferenceAspire.TestSupport;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// A job on real PostgreSQL survives its Worker being killed and the Api running it being killed, mid-job: two Api
/// processes share the database, one is killed with items claimed and the Worker with items in flight; the other
/// finishes the job once the Worker is back, every item answered once, with its own request id.
/// </summary>
public sealed class DurableJobTests : IAsyncLifetime
{
    private const string Chat = DistributedPlatform.Chat;
    private const int Items = 240;
    private readonly PostgresServer _postgres = new();
    private readonly RedisServer _redis = new();
    private readonly string _spill = Directory.CreateTempSubdirectory("audit-spill-").FullName;

    public Task InitializeAsync() => Task.WhenAll(_postgres.InitializeAsync(), _redis.InitializeAsync());

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_spill, recursive: true);
    }

    [Fact]
    public async Task A_job_loses_nothing_when_its_worker_and_the_api_running_it_are_killed()
    {
        var workerPort = ServiceProcess.FreePort();
        var workerEnvironment = WorkerEnvironment();
        var worker = await ServiceProcess.StartAsync("Inference.Worker", workerEnvironment, workerPort);
        var first = await StartApiAsync(worker);
        await using var second = await StartApiAsync(worker);
        try
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var requests = Enumerable.Range(0, Items).Select(i => new { text = $"word {i}", model = Chat, parameters = new { temperature = 0, max_length = 24 } });
            using var accepted = await http.PostAsJsonAsync("/api/inference/batch", new { requests });
            var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString();

            // Some items are done, others claimed by the first Api or in flight to the Worker: kill both.
            await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}?results=false"), j => j.GetProperty("completed").GetInt32() >= 10);
            await first.DisposeAsync();
            await worker.DisposeAsync();
            using var survivor = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var during = await survivor.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}?results=false");
            Assert.True(during.GetProperty("completed").GetInt32() < Items, "the job finished before the faults");

            worker = await ServiceProcess.StartAsync("Inference.Worker", workerEnvironment, workerPort);
            var done = await Eventually.HoldsAsync(
                () => survivor.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}"),
                j => j.GetProperty("status").GetString() == "completed");

            Assert.Equal((Items, Items, 0), (done.GetProperty("completed").GetInt32(), done.GetProperty("succeeded").GetInt32(), done.GetProperty("failed").GetInt32()));
            var results = done.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(Enumerable.Range(0, Items), results.Select(r => r.GetProperty("index").GetInt32()));
            Assert.All(results, r => Assert.Equal($"{id}-{r.GetProperty("index").GetInt32()}", r.GetProperty("response").GetProperty("request_id").GetString()));
            Assert.Contains(results, r => r.GetProperty("attempts").GetInt32() > 1);

            // The answers are the model's: an item run after the faults answers as the same request sent now.
            var last = results[^1].GetProperty("response");
            using var direct = await survivor.PostAsJsonAsync("/infer", new { text = $"word {Items - 1}", model = Chat, parameters = new { temperature = 0, max_length = 24 } });
            Assert.Equal((await direct.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetRawText(), last.GetProperty("result").GetRawText());

            // Each item's response was recorded once: the database holds one row per item, none pending.
            var rows = await _postgres.QueryAsync($"SELECT COUNT(*), COUNT(DISTINCT \"Index\"), COUNT(*) FILTER (WHERE \"Status\" = 'succeeded') FROM inference_job_items WHERE \"JobId\" = '{id}'",
                r => r.Read() ? (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)) : default);
            Assert.Equal((Items, Items, Items), ((int)rows.Item1, (int)rows.Item2, (int)rows.Item3));
        }
        finally
        {
            await first.DisposeAsync();
            await worker.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_worker_replica_killed_mid_job_leaves_its_items_to_the_other_replica()
    {
        const string model = "dictionary";
        // Enough items that the job is still running after the kill, however slowly the kill and the probes go.
        const int items = 480;
        Dictionary<string, string> Replica() => new(WorkerEnvironment().Where(e => !e.Key.StartsWith("Inference__Models__", StringComparison.Ordinal)))
        {
            [$"Inference__Models__{model}__Path"] = Chat,
        };
        var doomed = await ServiceProcess.StartAsync("Inference.Worker", Replica());
        await using var other = await ServiceProcess.StartAsync("Inference.Worker", Replica());
        await using var api = await ServiceProcess.StartAsync("Inference.Api", new Dictionary<string, string>
        {
            ["ConnectionStrings__metadata"] = _postgres.ConnectionString(),
            ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
            ["Inference__Models__m2v__Path"] = DistributedPlatform.Embedding,
            [$"Inference__Remote__{model}__Provider"] = "worker",
            [$"Inference__Remote__{model}__Replicas__0"] = doomed.BaseAddress.GetLeftPart(UriPartial.Authority) + "/",
            [$"Inference__Remote__{model}__Replicas__1"] = other.BaseAddress.GetLeftPart(UriPartial.Authority) + "/",
            ["Inference__Cache__Enabled"] = "false",
            ["Inference__Jobs__Concurrency"] = "4",
            ["Inference__Metadata__Audit__SpillDirectory"] = _spill,
        });
        try
        {
            using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            // Ready to serve is not yet migrated: the registry answers once the database is.
            await Eventually.HoldsAsync(async () => (await http.GetAsync("/api/models")).StatusCode, status => status == System.Net.HttpStatusCode.OK);
            var requests = Enumerable.Range(0, items).Select(i => new { text = $"word {i}", model, parameters = new { temperature = 0, max_length = 24 } });
            using var accepted = await http.PostAsJsonAsync("/api/inference/batch", new { requests });
            var body = await accepted.Content.ReadAsStringAsync();
            Assert.True(accepted.StatusCode == System.Net.HttpStatusCode.Accepted, body);
            var id = JsonDocument.Parse(body).RootElement.GetProperty("job_id").GetString();
            // Killed as soon as it has answered a few items, with more in flight.
            await Eventually.HoldsAsync(() => RollingDeploymentTests.WorkerRequestsAsync(doomed, model), n => n >= 3);
            await doomed.DisposeAsync();
            var before = await RollingDeploymentTests.WorkerRequestsAsync(other, model);
            var during = await http.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}?results=false");
            Assert.True(during.GetProperty("completed").GetInt32() < items, "the job finished before the replica was killed");

            // Not restarted: the other replica finishes every item, each once.
            var done = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}"), j => j.GetProperty("status").GetString() == "completed");
            Assert.Equal((items, items, 0), (done.GetProperty("completed").GetInt32(), done.GetProperty("succeeded").GetInt32(), done.GetProperty("failed").GetInt32()));
            Assert.True(await RollingDeploymentTests.WorkerRequestsAsync(other, model) - before >= items - during.GetProperty("completed").GetInt32(),
                "the surviving replica did not answer the items left");
        }
        finally
        {
            await doomed.DisposeAsync();
        }
    }

    [Fact]
    public async Task Through_redis_streams_the_items_a_killed_api_took_are_claimed_by_another_consumer_and_finished_once()
    {
        // The database is searched only at start: what the killed Api held can come back only through the stream.
        await FinishedAfterTheFirstApiIsKilledAsync([("ConnectionStrings__cache", _redis.ConnectionString), ("Inference__Jobs__DatabasePollInterval", "00:10:00")]);

        // Both replicas consumed from the group; every entry was acknowledged, none is left pending or in the stream.
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var db = redis.GetDatabase();
        var consumers = await db.StreamConsumerInfoAsync("inference:jobs", "inference-jobs");
        Assert.True(consumers.Length >= 2, $"{consumers.Length} consumers");
        await Eventually.HoldsAsync(async () => (await db.StreamPendingAsync("inference:jobs", "inference-jobs")).PendingMessageCount, n => n == 0);
        Assert.Equal(0, await db.StreamLengthAsync("inference:jobs"));
    }

    [Fact]
    public async Task Through_a_jetstream_work_queue_the_items_a_killed_api_took_are_delivered_again_and_finished_once()
    {
        await using var nats = new NatsServer();
        await nats.InitializeAsync();
        await FinishedAfterTheFirstApiIsKilledAsync(
            [("ConnectionStrings__nats", nats.ConnectionString), ("Inference__Jobs__Queue", "nats"), ("Inference__Jobs__DatabasePollInterval", "00:10:00")],
            async survivor =>
            {
                // The survivor meters the work queue as it reads it: nothing waits once the job is done.
                using var metrics = new HttpClient { BaseAddress = survivor.BaseAddress };
                await Eventually.HoldsAsync(
                    () => metrics.GetStringAsync("/metrics"),
                    text => text.Split('\n').Any(l => l.StartsWith("inference_jobs_queue_pending", StringComparison.Ordinal) && l.EndsWith(" 0", StringComparison.Ordinal)));
            });

        // Every entry was acknowledged: the work queue holds none, the consumer waits on none.
        await using var client = new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = nats.ConnectionString });
        var js = new NATS.Client.JetStream.NatsJSContext(client);
        await Eventually.HoldsAsync(async () => (await js.GetConsumerAsync("INFERENCE_JOBS", "inference-jobs")).Info.NumAckPending, n => n == 0);
        Assert.Equal(0, (await js.GetStreamAsync("INFERENCE_JOBS")).Info.State.Messages);
    }

    /// <summary>
    /// A 120-item job on two Api replicas sharing <paramref name="queue"/>: the first is killed mid-job, the second
    /// finishes every item, each recorded once with its own request id; <paramref name="then"/> checks the survivor.
    /// </summary>
    private async Task FinishedAfterTheFirstApiIsKilledAsync((string Name, string Value)[] queue, Func<ServiceProcess, Task>? then = null)
    {
        const int items = 120;
        await using var worker = await ServiceProcess.StartAsync("Inference.Worker", WorkerEnvironment());
        var first = await StartApiAsync(worker, queue);
        await using var second = await StartApiAsync(worker, queue);
        try
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var requests = Enumerable.Range(0, items).Select(i => new { text = $"word {i}", model = Chat, parameters = new { temperature = 0, max_length = 24 } });
            using var accepted = await http.PostAsJsonAsync("/api/inference/batch", new { requests });
            var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString();
            await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}?results=false"), j => j.GetProperty("completed").GetInt32() >= 5);
            await first.DisposeAsync();

            using var survivor = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var done = await Eventually.HoldsAsync(
                () => survivor.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}"),
                j => j.GetProperty("status").GetString() == "completed");
            Assert.Equal((items, items, 0), (done.GetProperty("completed").GetInt32(), done.GetProperty("succeeded").GetInt32(), done.GetProperty("failed").GetInt32()));
            Assert.All(done.GetProperty("results").EnumerateArray(), r => Assert.Equal($"{id}-{r.GetProperty("index").GetInt32()}", r.GetProperty("response").GetProperty("request_id").GetString()));
            var rows = await _postgres.QueryAsync($"SELECT COUNT(*), COUNT(DISTINCT \"Index\") FROM inference_job_items WHERE \"JobId\" = '{id}'", r => r.Read() ? (r.GetInt64(0), r.GetInt64(1)) : default);
            Assert.Equal((items, items), ((int)rows.Item1, (int)rows.Item2));
            if (then is not null)
            {
                await then(second);
            }
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    private static Dictionary<string, string> WorkerEnvironment() => new()
    {
        ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
        [$"Inference__Models__{Chat}__Path"] = Chat,
        // Slow enough that the job is still running when the faults come.
        ["Inference__Engine__ChatBatchSize"] = "1",
        ["Inference__Engine__IntraOpThreads"] = "1",
        ["Inference__Cache__Enabled"] = "false",
    };

    private Task<ServiceProcess> StartApiAsync(ServiceProcess worker, params (string Name, string Value)[] more) => ServiceProcess.StartAsync("Inference.Api", new Dictionary<string, string>(more.Select(m => KeyValuePair.Create(m.Name, m.Value)))
    {
        ["ConnectionStrings__metadata"] = _postgres.ConnectionString(),
        ["services__worker__http__0"] = worker.BaseAddress.ToString(),
        ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
        ["Inference__Models__m2v__Path"] = DistributedPlatform.Embedding,
        ["Inference__Cache__Enabled"] = "false",
        ["Inference__Jobs__Concurrency"] = "2",
        ["Inference__Jobs__ClaimTimeout"] = "00:00:05",
        ["Inference__Metadata__Audit__SpillDirectory"] = _spill,
    });
}
