using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Inference.Storage.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Seed 003's asynchronous batch jobs over the embedded database: accepted at once, run in the background with the
/// same answers /infer gives, each item recorded once; a job accepted by an Api that stops before running it is run
/// by the next; cancelling stops its waiting items; bad bodies are 400s.
/// </summary>
public sealed class JobTests : IDisposable
{
    private const string Model = LifecycleHost.Model;
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_job_is_accepted_at_once_and_completes_with_each_item_s_infer_answer_in_order()
    {
        await using var api = _host.Start(b => b.UseSetting("Inference:Models:m2v:Path", "m2v-bge-base-vocabq-64d"));
        using var http = await LifecycleHost.ReadyAsync(api);
        string[] items =
        [
            $$$"""{"text":"cat","model":"{{{Model}}}","parameters":{"temperature":0,"max_length":6}}""",
            $$$"""{"text":"dog","model":"{{{Model}}}","parameters":{"temperature":0,"max_length":6}}""",
            """{"text":"a small dog","model":"m2v"}""",
            """{"text":"cat","model":"nowhere"}""",
            $$$"""{"text":"oak","model":"{{{Model}}}","parameters":{"temperature":0,"max_length":6}}""",
        ];
        using var accepted = await http.PostAsync("/api/inference/batch", OpenAIClientTests.Json($"{{\"requests\":[{string.Join(',', items)}]}}"));
        var job = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = job.GetProperty("job_id").GetString();
        Assert.Equal($"/api/inference/jobs/{id}", accepted.Headers.Location?.OriginalString);
        Assert.Equal(5, job.GetProperty("total").GetInt32());

        var done = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}"), j => j.GetProperty("status").GetString() == "completed");
        Assert.Equal((4, 1, 5, 1.0), (done.GetProperty("succeeded").GetInt32(), done.GetProperty("failed").GetInt32(), done.GetProperty("completed").GetInt32(), done.GetProperty("progress").GetDouble()));
        var results = done.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3, 4], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(["succeeded", "succeeded", "succeeded", "failed", "succeeded"], results.Select(r => r.GetProperty("status").GetString()));
        Assert.All(results, r => Assert.Equal(1, r.GetProperty("attempts").GetInt32()));
        for (var i = 0; i < items.Length; i++)
        {
            using var alone = await http.PostAsync("/infer", OpenAIClientTests.Json(items[i]));
            var response = results[i].GetProperty("response");
            if (alone.IsSuccessStatusCode)
            {
                Assert.Equal((await alone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetRawText(), response.GetProperty("result").GetRawText());
                Assert.Equal($"{id}-{i}", response.GetProperty("request_id").GetString());
            }
            else
            {
                Assert.Equal((int)alone.StatusCode, response.GetProperty("status").GetInt32());
                Assert.False(response.GetProperty("success").GetBoolean());
            }
        }

        // The calls are in the audit log like any other.
        var contexts = api.Services.GetRequiredService<IDbContextFactory<MetadataDbContext>>();
        await Eventually.HoldsAsync(() => AuditCountAsync(contexts, $"{id}-0"), n => n == 1);
    }

    [Fact]
    public async Task A_job_accepted_by_an_api_that_stops_is_run_by_the_next_and_each_item_once()
    {
        string? id;
        await using (var first = _host.Start(b => b.UseSetting("Inference:Jobs:Enabled", "false")))
        {
            using var http = await LifecycleHost.ReadyAsync(first);
            var job = await LifecycleHost.PostAsync(http, "/api/inference/batch",
                $$$"""{"requests":[{"text":"cat","model":"{{{Model}}}"},{"text":"dog","model":"{{{Model}}}"},{"text":"oak","model":"{{{Model}}}"}]}""", 202);
            id = job.GetProperty("job_id").GetString();
            var waiting = await http.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}");
            Assert.Equal(("queued", 0), (waiting.GetProperty("status").GetString(), waiting.GetProperty("completed").GetInt32()));
        }

        await using var next = _host.Start();
        using var again = await LifecycleHost.ReadyAsync(next);
        var done = await Eventually.HoldsAsync(() => again.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}"), j => j.GetProperty("status").GetString() == "completed");
        Assert.Equal(3, done.GetProperty("succeeded").GetInt32());
        Assert.All(done.GetProperty("results").EnumerateArray(), r => Assert.Equal(1, r.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task A_cancelled_job_runs_no_more_items_and_bad_bodies_are_refused()
    {
        await using var api = _host.Start(b =>
        {
            b.UseSetting("Inference:Jobs:Enabled", "false");
            b.UseSetting("Inference:Jobs:MaxItems", "3");
        });
        using var http = await LifecycleHost.ReadyAsync(api);
        var job = await LifecycleHost.PostAsync(http, "/api/inference/batch", $$$"""{"requests":[{"text":"cat","model":"{{{Model}}}"},{"text":"dog"}]}""", 202);
        var id = job.GetProperty("job_id").GetString();
        using (var cancelled = await http.DeleteAsync($"/api/inference/jobs/{id}"))
        {
            var body = await cancelled.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            Assert.Equal("cancelled", body.GetProperty("status").GetString());
        }

        var state = await http.GetFromJsonAsync<JsonElement>($"/api/inference/jobs/{id}");
        Assert.All(state.GetProperty("results").EnumerateArray(), r => Assert.Equal("cancelled", r.GetProperty("status").GetString()));
        using (var twice = await http.DeleteAsync($"/api/inference/jobs/{id}"))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        using (var missing = await http.GetAsync("/api/inference/jobs/job-none"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        foreach (var bad in new[] { """{"requests":[]}""", """{"requests":{}}""", """{"requests":[1]}""", """{"requests":[{},{},{},{}]}""", """{"requests":""", "[]" })
        {
            using var refused = await http.PostAsync("/api/inference/batch", OpenAIClientTests.Json(bad));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{bad}: {(int)refused.StatusCode}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_finished_job_s_webhook_is_signed_and_retried_until_it_is_answered_2xx_then_sent_no_more()
    {
        var port = InferenceAspire.TestSupport.ServiceProcess.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var deliveries = new List<(string Body, string? Signature, string? Timestamp, string? Delivery)>();
        var receiving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return; // stopped
                }

                using var reader = new StreamReader(context.Request.InputStream);
                lock (deliveries)
                {
                    deliveries.Add((reader.ReadToEnd(), context.Request.Headers["x-inference-signature"], context.Request.Headers["x-inference-timestamp"], context.Request.Headers["x-inference-delivery"]));
                    // The receiver fails twice before it takes the delivery.
                    context.Response.StatusCode = deliveries.Count <= 2 ? 500 : 204;
                }

                context.Response.Close();
            }
        });

        await using var api = _host.Start(b =>
        {
            b.UseSetting("Inference:Jobs:WebhookSecret", "s3cret");
            b.UseSetting("Inference:Jobs:WebhookRetryDelay", "00:00:00.2");
            b.UseSetting("Inference:Jobs:PollInterval", "00:00:00.2");
        });
        using var http = await LifecycleHost.ReadyAsync(api);
        using (var bad = await http.PostAsync("/api/inference/batch", OpenAIClientTests.Json($$$"""{"requests":[{"text":"cat","model":"{{{Model}}}"}],"webhook_url":"ftp://x"}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        var job = await LifecycleHost.PostAsync(http, "/api/inference/batch",
            $$$"""{"requests":[{"text":"cat","model":"{{{Model}}}"},{"text":"dog","model":"nowhere"}],"webhook_url":"http://127.0.0.1:{{{port}}}/hook"}""", 202);
        var id = job.GetProperty("job_id").GetString();

        await Eventually.HoldsAsync(() => Task.FromResult(Count()), n => n >= 3);
        await Task.Delay(1000);
        Assert.Equal(3, Count());
        listener.Stop();
        await receiving;

        Assert.All(deliveries, d =>
        {
            Assert.Equal(id, d.Delivery);
            Assert.Equal(Inference.Jobs.WebhookSignature.Sign("s3cret", d.Timestamp!, d.Body), d.Signature);
        });
        var body = JsonDocument.Parse(deliveries[^1].Body).RootElement;
        Assert.Equal(("job.completed", id, "completed", 2, 1, 1), (body.GetProperty("type").GetString(), body.GetProperty("job_id").GetString(), body.GetProperty("status").GetString(),
            body.GetProperty("total").GetInt32(), body.GetProperty("succeeded").GetInt32(), body.GetProperty("failed").GetInt32()));

        int Count()
        {
            lock (deliveries)
            {
                return deliveries.Count;
            }
        }
    }

    private static async Task<int> AuditCountAsync(IDbContextFactory<MetadataDbContext> contexts, string requestId)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.AuditRecords.CountAsync(r => r.RequestId == requestId);
    }
}
