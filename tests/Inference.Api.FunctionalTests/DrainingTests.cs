using System.Net;
using System.Text.Json;
using InferenceAspire.TestSupport;

namespace Inference.Api.FunctionalTests;

/// <summary>A Worker told to stop (SIGTERM) finishes every request it accepted and refuses new ones until it exits.</summary>
public sealed class DrainingTests
{
    private const int Accepted = 24;
    private const int Tokens = 200;

    [Fact]
    public async Task A_stopping_worker_turns_unready_refuses_new_requests_with_503_and_retry_after_and_finishes_the_accepted_ones()
    {
        await using var worker = await ServiceProcess.StartAsync("Inference.Worker", new Dictionary<string, string>
        {
            ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
            ["Inference__Models__dictionary__Path"] = "wordnet-chat-1m",
            // One request at a time, so the accepted ones are queued behind each other when the stop comes.
            ["Inference__Engine__ChatBatchSize"] = "1",
            ["Inference__Cache__Enabled"] = "false",
            ["Logging__LogLevel__Inference.Serving.Draining"] = "Information",
        });
        using var http = new HttpClient { BaseAddress = worker.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var accepted = Enumerable.Range(0, Accepted).Select(i => http.PostAsync("/v1/completions", OpenAIClientTests.Json(
            $$"""{"model":"dictionary","prompt":"the dog {{i}}","max_tokens":{{Tokens}},"ignore_eos":true,"temperature":0}"""))).ToList();
        await Eventually.HoldsAsync(async () =>
        {
            var models = JsonDocument.Parse(await http.GetStringAsync("/v1/models")).RootElement.GetProperty("data");
            var queue = models.EnumerateArray().Single(m => m.GetProperty("id").GetString() == "dictionary").GetProperty("queue_metrics");
            return queue.GetProperty("pending_messages").GetInt32();
        }, pending => pending >= Accepted / 2);

        worker.Terminate();
        await Eventually.HoldsAsync(async () => (await http.GetAsync("/ready")).StatusCode, status => status == HttpStatusCode.ServiceUnavailable);

        using (var refused = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"dictionary","messages":[{"role":"user","content":"hi"}]}""")))
        {
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            await BadInputTests.AssertError(refused, 503, null, "draining");
        }

        using (var ollama = await http.PostAsync("/api/generate", OpenAIClientTests.Json("""{"model":"dictionary","prompt":"hi","stream":false}""")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ollama.StatusCode);
            Assert.NotNull(ollama.Headers.RetryAfter);
            Assert.Contains("shutting down", JsonDocument.Parse(await ollama.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        using (var seed = await http.PostAsync("/generate", OpenAIClientTests.Json("""{"model":"dictionary","prompt":"hi"}""")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, seed.StatusCode);
            Assert.Equal("application/problem+json", seed.Content.Headers.ContentType?.MediaType);
        }

        // What it had accepted, running or queued, is answered in full before it exits.
        foreach (var request in accepted)
        {
            using var response = await request;
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal(Tokens, JsonDocument.Parse(body).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }

        Assert.Equal(0, await worker.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Drained", worker.Output, StringComparison.Ordinal);
    }
}
