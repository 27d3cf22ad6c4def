using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// A Worker process killed under the Api: the fallback answers (and says so), the Worker's circuit breaker opens,
/// probes half-open once the Worker is back, closes, and traffic returns to it; the audit log and the model's metrics
/// count the fallbacks.
/// </summary>
public sealed class FallbackTests : IDisposable
{
    private const string Primary = "dictionary";
    private const string Backup = "backup";
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_dead_worker_s_requests_go_to_the_fallback_its_breaker_opens_and_closes_again_when_it_returns()
    {
        var port = ServiceProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
            ["Inference__Models__wordnet-chat-1m__Path"] = "wordnet-chat-1m",
        };
        var worker = await ServiceProcess.StartAsync("Inference.Worker", environment, port);
        try
        {
            await using var api = _host.Start(b =>
            {
                b.UseSetting($"Inference:Models:{Backup}:Path", "wordnet-chat-1m");
                b.UseSetting($"Inference:Remote:{Primary}:Provider", "worker");
                b.UseSetting($"Inference:Remote:{Primary}:ConnectionString", $"Endpoint=http://127.0.0.1:{port}/v1;Model=wordnet-chat-1m");
                b.UseSetting($"Inference:Remote:{Primary}:Fallbacks:0", Backup);
                b.UseSetting("Inference:Routing:CircuitBreaker:MinimumThroughput", "2");
                // Long enough that the breaker is still open for the checks below on a loaded machine (a probe in
                // between would fail against the dead Worker and reopen it).
                b.UseSetting("Inference:Routing:CircuitBreaker:BreakDuration", "00:00:05");
            }, serveModel: false);
            using var http = await LifecycleHost.ReadyAsync(api);
            var endpoint = $"http://127.0.0.1:{port}/v1";
            Assert.Equal(Primary, await LifecycleHost.AnsweredByAsync(http, Primary, "u"));

            await worker.DisposeAsync();

            // The Worker is gone: the fallback answers, and the response names both.
            using (var response = await ChatAsync(http, """{"model":"dictionary","temperature":0,"max_tokens":3,"messages":[{"role":"user","content":"dog"}]}"""))
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(response.IsSuccessStatusCode, body.ToString());
                Assert.Equal(Backup, body.GetProperty("model").GetString());
                Assert.Equal(Backup, response.Headers.GetValues("x-inference-model").Single());
                Assert.Equal(Primary, response.Headers.GetValues("x-inference-fallback").Single());
            }

            using (var streamed = await ChatAsync(http, """{"model":"dictionary","stream":true,"max_tokens":3,"messages":[{"role":"user","content":"dog"}]}"""))
            {
                var text = await streamed.Content.ReadAsStringAsync();
                Assert.True(streamed.IsSuccessStatusCode, text);
                Assert.Contains("\"model\":\"backup\"", text, StringComparison.Ordinal);
                Assert.EndsWith("data: [DONE]", text.Trim(), StringComparison.Ordinal);
            }

            // Two failures in the window open the Worker's breaker: requests skip it (and still get the fallback).
            var open = await Eventually.HoldsAsync(() => BreakerAsync(http, endpoint), b => b?.GetProperty("state").GetString() == "open");
            Assert.Contains(Primary, open!.Value.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
            Assert.Equal(Backup, await LifecycleHost.AnsweredByAsync(http, Primary, "u"));
            // (Hosts of other tests in this process name a model "dictionary" too, behind other endpoints: the meter is shared.)
            var gauge = (await http.GetStringAsync("/metrics")).Split('\n')
                .Single(l => l.StartsWith("ml_inference_circuit_breaker_state{", StringComparison.Ordinal) && l.Contains("model=\"dictionary\"", StringComparison.Ordinal)
                    && l.Contains($"client=\"{endpoint}\"", StringComparison.Ordinal));
            Assert.EndsWith(" 1", gauge.Trim(), StringComparison.Ordinal);

            Assert.True(await LifecycleHost.MetricAsync(http, "ml_inference_fallbacks_total", "model=\"dictionary\"", "fallback=\"backup\"") >= 3);

            // Without fallbacks the caller sees the open breaker.
            using (var alone = await ChatAsync(http, """{"model":"dictionary","use_fallbacks":false,"messages":[{"role":"user","content":"dog"}]}"""))
            {
                await BadInputTests.AssertError(alone, 503, null, "circuit_open");
                Assert.InRange(alone.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
            }

            // The Worker returns on its port; after the break one request probes (half-open), succeeds, and closes the breaker.
            worker = await ServiceProcess.StartAsync("Inference.Worker", environment, port);
            Assert.Equal(Primary, await Eventually.HoldsAsync(() => LifecycleHost.TryAnsweredByAsync(http, Primary, "u"), m => m == Primary));
            var closed = await BreakerAsync(http, endpoint);
            Assert.Equal("closed", closed!.Value.GetProperty("state").GetString());
            var transitions = closed.Value.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("state").GetString()).ToList();
            Assert.Equal(["open", "half_open", "closed"], transitions.TakeLast(3).ToList());

            // The audit log knows which model stood in for which, and the metrics count it.
            var usage = await Eventually.HoldsAsync(
                () => http.GetFromJsonAsync<JsonElement>($"/api/models/{Primary}/metrics?period=total"),
                m => m.GetProperty("periods").EnumerateArray().Any(p => p.GetProperty("metrics").GetProperty("fallback_rate").GetDouble() > 0));
            Assert.Contains(usage.GetProperty("periods").EnumerateArray(), p => p.GetProperty("metrics").GetProperty("error_rate").GetDouble() > 0);

            // A reset closes breakers by hand; an unknown model is a 404.
            using var reset = await http.PostAsync($"/circuit-breaker/reset?model={Primary}", null);
            Assert.Equal(200, (int)reset.StatusCode);
            using var unknown = await http.PostAsync("/circuit-breaker/reset?model=nothing", null);
            Assert.Equal(404, (int)unknown.StatusCode);
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    private static async Task<HttpResponseMessage> ChatAsync(HttpClient http, string body) =>
        await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(body));

    private static async Task<JsonElement?> BreakerAsync(HttpClient http, string endpoint)
    {
        var status = await http.GetFromJsonAsync<JsonElement>("/circuit-breaker/status");
        return status.GetProperty("breakers").EnumerateArray().Where(b => b.GetProperty("endpoint").GetString() == endpoint).Select(b => (JsonElement?)b).FirstOrDefault();
    }
}
