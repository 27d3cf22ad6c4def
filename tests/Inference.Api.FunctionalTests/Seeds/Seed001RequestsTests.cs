using System.Text.Json;
using static Inference.Api.FunctionalTests.Seeds.SeedApiFixture;

namespace Inference.Api.FunctionalTests.Seeds;

/// <summary>
/// Seed 001's documented requests, sent as its README writes them (its curl bodies and headers; model paths are ours):
/// model registration, A/B tests, the model listing its troubleshooting calls, health, metrics under its names, the
/// performance report, alerts and the circuit breaker.
/// </summary>
public sealed class Seed001RequestsTests(SeedApiFixture fixture) : IClassFixture<SeedApiFixture>
{
    [Fact]
    public async Task Registration_and_an_AB_test_answer_as_documented_and_the_models_are_listed()
    {
        using var http = await fixture.ReadyClientAsync();
        http.DefaultRequestHeaders.Add("Authorization", "Bearer YOUR_TOKEN");

        // "Register a new model" (model_path is a model of ours), and a second version for the A/B test to compare.
        var registered = await PostAsync(http, "/models/register", """
            {
              "model_path": "wordnet-chat-1m-gguf",
              "name": "my-model",
              "version": "1.0.0",
              "description": "Production model v1",
              "model_type": "llm",
              "framework": "mlx",
              "tags": ["production", "optimized"],
              "performance_metrics": {
                "accuracy": 0.95,
                "latency_ms": 150
              }
            }
            """, 201);
        Assert.Equal(("my-model", "1.0.0", "llm", "mlx"), (registered.GetProperty("model").GetString(), registered.GetProperty("version").GetString(),
            registered.GetProperty("model_type").GetString(), registered.GetProperty("framework").GetString()));
        Assert.Equal(["production", "optimized"], registered.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(0.95, registered.GetProperty("performance_metrics").GetProperty("accuracy").GetDouble());
        await PostAsync(http, "/models/register", """{"model_path": "wordnet-chat-1m", "name": "my-model", "version": "1.1.0", "model_type": "llm", "framework": "onnx"}""", 201);

        // "Start A/B test", as written.
        var test = await PostAsync(http, "/ab-tests/start", """
            {
              "test_id": "model-comparison-1",
              "model_a": "my-model:1.0.0",
              "model_b": "my-model:1.1.0",
              "traffic_split": 0.2,
              "duration_hours": 24,
              "success_metrics": ["accuracy", "response_time"]
            }
            """, 201);
        Assert.Equal("model-comparison-1", test.GetProperty("test_id").GetString());
        var running = await GetAsync(http, "/ab-tests");
        Assert.Contains("model-comparison-1", Tests(running));
        await PostAsync(http, "/ab-tests/model-comparison-1/stop", "{}");
        Assert.DoesNotContain("model-comparison-1", Tests(await GetAsync(http, "/ab-tests")));

        // "Activate model version", "List model versions", and the troubleshooting section's "Check model registry".
        await PostAsync(http, "/models/my-model/activate", """{"version": "1.1.0"}""");
        var versions = await GetAsync(http, "/models/my-model");
        Assert.Equal("1.1.0", versions.GetProperty("active_version").GetString());
        var models = await GetAsync(http, "/models");
        var mine = models.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "my-model");
        Assert.Equal(["1.0.0", "1.1.0"], mine.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()));
        Assert.Contains(models.GetProperty("models").EnumerateArray(), m => m.GetProperty("name").GetString() == Chat);

        // The registered version answers by name.
        var answer = await PostAsync(http, "/v1/chat/completions", """{"model":"my-model","max_tokens":4,"messages":[{"role":"user","content":"dog"}]}""");
        Assert.StartsWith("my-model:1.1.0", answer.GetProperty("model").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_metrics_reports_alerts_and_the_circuit_breaker_answer_as_documented()
    {
        using var http = await fixture.ReadyClientAsync();
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
        Assert.Equal("Healthy", await http.GetStringAsync("/ready"));

        // Every metric the seed names once a request has been served, the error counter too though no call failed (the
        // alert rules take its rate).
        await PostAsync(http, "/v1/chat/completions", $$"""{"model":"{{Chat}}","max_tokens":2,"messages":[{"role":"user","content":"dog"}]}""");
        var metrics = await Eventually.HoldsAsync(() => http.GetStringAsync("/metrics"), text => text.Contains("ml_inference_errors_total{", StringComparison.Ordinal));
        foreach (var name in new[]
        {
            "ml_inference_requests_total", "ml_inference_request_duration_seconds", "ml_inference_errors_total",
            "ml_inference_circuit_breaker_state", "ml_inference_memory_usage_percent", "ml_inference_health_score",
        })
        {
            Assert.Contains(name, metrics, StringComparison.Ordinal);
        }

        var errors = metrics.Split('\n').Where(l => l.StartsWith("ml_inference_errors_total{", StringComparison.Ordinal)).ToList();
        Assert.Contains(errors, l => l.Contains($"model=\"{Chat}\"", StringComparison.Ordinal) && l.EndsWith(" 0", StringComparison.Ordinal));

        var report = await GetAsync(http, "/performance/report");
        Assert.Equal(JsonValueKind.Object, report.ValueKind);
        Assert.Equal(JsonValueKind.Object, (await GetAsync(http, "/alerts/active")).ValueKind);
        Assert.Equal(JsonValueKind.Object, (await GetAsync(http, "/circuit-breaker/status")).ValueKind);
        await PostAsync(http, "/circuit-breaker/reset", "");
    }

    private static List<string?> Tests(JsonElement list) =>
        [.. (list.ValueKind == JsonValueKind.Array ? list : list.GetProperty("tests")).EnumerateArray().Select(t => t.GetProperty("test_id").GetString())];
}
