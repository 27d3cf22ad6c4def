using System.Text.Json;
using static Inference.Api.FunctionalTests.Seeds.SeedApiFixture;

namespace Inference.Api.FunctionalTests.Seeds;

/// <summary>
/// Seed 003's API with its data models: the model list and details in its Model shape, its Inference Request on
/// /api/inference/text, /analyze and in a batch job (every item answered), and its Performance Metrics on
/// /api/metrics and /api/metrics/models/{model_id}, whose figures are the audit log's.
/// </summary>
public sealed class Seed003RequestsTests(SeedApiFixture fixture) : IClassFixture<SeedApiFixture>
{
    private static readonly string[] MetricFields =
        ["requests_count", "tokens_input", "tokens_output", "avg_response_time_ms", "error_rate", "fallback_rate", "estimated_cost"];

    [Fact]
    public async Task Models_are_listed_in_its_model_shape()
    {
        using var http = await fixture.ReadyClientAsync();
        var models = await GetAsync(http, "/api/models");
        foreach (var model in models.EnumerateArray())
        {
            HasFields(model, "model_id", "name", "provider", "capabilities", "versions", "parameters", "fallbacks");
            Assert.NotEmpty(model.GetProperty("capabilities").EnumerateArray());
            foreach (var version in model.GetProperty("versions").EnumerateArray())
            {
                HasFields(version, "version", "created_at", "deprecated", "default", "configuration");
            }
        }

        var chat = await GetAsync(http, $"/api/models/{Chat}");
        Assert.Equal((Chat, Chat), (chat.GetProperty("model_id").GetString(), chat.GetProperty("name").GetString()));
        Assert.Contains("text-generation", chat.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(256, chat.GetProperty("parameters").GetProperty("max_tokens").GetInt32());
        Assert.True(Assert.Single(chat.GetProperty("versions").EnumerateArray()).GetProperty("default").GetBoolean());
        Assert.Equal("1", Assert.Single((await GetAsync(http, $"/api/models/{Chat}/versions")).EnumerateArray()).GetProperty("version").GetString());
    }

    [Fact]
    public async Task Its_inference_request_is_answered_on_text_analyze_and_in_a_batch_job()
    {
        using var http = await fixture.ReadyClientAsync();

        // Generate text: the chat model's answer, as chat completions give it, with the version and usage.
        var text = await PostAsync(http, "/api/inference/text", $$"""
            {
              "model_id": "{{Chat}}",
              "version": "1",
              "input": "What does \"dog\" mean?",
              "parameters": {
                "temperature": 0.0,
                "max_tokens": 12,
                "other_parameters": {}
              },
              "use_fallbacks": true
            }
            """);
        var chat = await PostAsync(http, "/v1/chat/completions", $$"""{"model":"{{Chat}}","temperature":0,"max_tokens":12,"messages":[{"role":"user","content":"What does \"dog\" mean?"}]}""");
        Assert.Equal(chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), text.GetProperty("output").GetString());
        Assert.Equal((Chat, "1", false), (text.GetProperty("model_id").GetString(), text.GetProperty("version").GetString(), text.GetProperty("fallback_used").GetBoolean()));
        var usage = text.GetProperty("usage");
        Assert.Equal(chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("tokens_input").GetInt32());
        Assert.Equal(chat.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), usage.GetProperty("tokens_output").GetInt32());
        Assert.Equal("length", text.GetProperty("finish_reason").GetString());

        // The version is optional (the default one), and a model that does not generate text is refused.
        Assert.Equal("1", (await PostAsync(http, "/api/inference/text", $$$"""{"model_id":"{{{Chat}}}","input":"cat","parameters":{"max_tokens":3}}""")).GetProperty("version").GetString());
        await PostAsync(http, "/api/inference/text", $$"""{"model_id":"{{Embedding}}","input":"cat"}""", 400);
        await PostAsync(http, "/api/inference/text", """{"model_id":"","input":"cat"}""", 400);
        await PostAsync(http, "/api/inference/text", $$"""{"model_id":"{{Chat}}","input":"cat","text":"dog"}""", 400);

        // Analyze: the same request shape for a classifier.
        var analyzed = await PostAsync(http, "/api/inference/analyze", $$"""
            {
              "model_id": "{{Classifier}}",
              "version": "1",
              "input": "an oak tree",
              "parameters": {"temperature": 0.0, "max_tokens": 10},
              "use_fallbacks": true
            }
            """);
        Assert.Equal("plant", analyzed.GetProperty("results")[0].GetProperty("label").GetString());

        // A batch job of such requests: every item answered.
        var job = await PostAsync(http, "/api/inference/batch", $$$"""
            {
              "requests": [
                {"model_id": "{{{Chat}}}", "version": "1", "input": "What does \"cat\" mean?", "parameters": {"temperature": 0.0, "max_tokens": 8}, "use_fallbacks": true},
                {"model_id": "{{{Chat}}}", "input": "oak", "parameters": {"max_tokens": 8}},
                {"model_id": "{{{Classifier}}}", "input": "a small dog", "use_fallbacks": false}
              ]
            }
            """, 202);
        var id = job.GetProperty("job_id").GetString();
        var done = await Eventually.HoldsAsync(() => GetAsync(http, $"/api/inference/jobs/{id}"), j => j.GetProperty("status").GetString() is "completed" or "failed");
        Assert.Equal(("completed", 3, 0), (done.GetProperty("status").GetString(), done.GetProperty("succeeded").GetInt32(), done.GetProperty("failed").GetInt32()));
        var results = done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("response")).ToList();
        Assert.All(results, r => Assert.True(r.GetProperty("success").GetBoolean(), r.ToString()));
        Assert.Equal([$"{Chat}:1", $"{Chat}:1", $"{Classifier}:1"], results.Select(r => r.GetProperty("model_used").GetString()));

        // An item that no model could answer is refused when the job is sent, naming it.
        var refused = await PostAsync(http, "/api/inference/batch", """{"requests":[{"model_id":"x","input":"a"},{"model_id":"  ","input":"b"}]}""", 400);
        Assert.Contains("requests[1]", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Its_performance_metrics_are_the_audit_log_s()
    {
        using var http = await fixture.ReadyClientAsync();
        for (var i = 0; i < 3; i++)
        {
            await PostAsync(http, "/api/inference/text", $$$"""{"model_id":"{{{Chat}}}","input":"metric {{{i}}}","parameters":{"max_tokens":4}}""");
        }

        await PostAsync(http, "/v1/embeddings", $$"""{"model":"{{Embedding}}","input":"a metric"}""");
        await Eventually.HoldsAsync(fixture.AuditAsync, rows => rows.Count(r => r.Model == Chat) >= 3 && rows.Any(r => r.Model == Embedding));

        // Read back to back, nothing else running: the metrics and the audit log see the same calls.
        var (service, model, audit) = await Eventually.HoldsAsync(
            async () => (await GetAsync(http, "/api/metrics?period=total"), await GetAsync(http, $"/api/metrics/models/{Chat}?period=total"), await fixture.AuditAsync()),
            read => read.Item1.GetProperty("metrics").GetProperty("requests_count").GetInt32() == read.Item3.Count);

        HasFields(service, "period", "metrics", "models");
        Assert.Equal("total", service.GetProperty("period").GetString());
        AssertMetrics(service.GetProperty("metrics"), audit);
        foreach (var entry in service.GetProperty("models").EnumerateArray())
        {
            HasFields(entry, "model_id", "version", "period", "metrics");
            var rows = audit.Where(r => r.Model == entry.GetProperty("model_id").GetString() && r.Version == entry.GetProperty("version").GetString()).ToList();
            AssertMetrics(entry.GetProperty("metrics"), rows);
        }

        // One model: seed 003's object (model_id, version, period, metrics), with each version beside it.
        HasFields(model, "model_id", "version", "period", "metrics", "versions");
        Assert.Equal((Chat, "total"), (model.GetProperty("model_id").GetString(), model.GetProperty("period").GetString()));
        AssertMetrics(model.GetProperty("metrics"), [.. audit.Where(r => r.Model == Chat)]);
        var daily = await GetAsync(http, $"/api/metrics/models/{Chat}?period=daily&version=1");
        Assert.Equal(("daily", "1"), (daily.GetProperty("period").GetString(), daily.GetProperty("version").GetString()));
        AssertMetrics(daily.GetProperty("metrics"), [.. audit.Where(r => r.Model == Chat && r.Version == "1")]);

        await GetAsync(http, "/api/metrics/models/nothing-like-it", 404);
        await GetAsync(http, "/api/metrics?period=fortnightly", 400);
        HasFields(await GetAsync(http, "/api/metrics/usage"), "period");
        HasFields(await GetAsync(http, "/api/metrics/cost"), "period");
    }

    private static void AssertMetrics(JsonElement metrics, List<Inference.Storage.Data.AuditRecord> rows)
    {
        HasFields(metrics, MetricFields);
        Assert.Equal(rows.Count, metrics.GetProperty("requests_count").GetInt32());
        Assert.Equal(rows.Sum(r => (long)(r.InputTokens ?? 0)), metrics.GetProperty("tokens_input").GetInt64());
        Assert.Equal(rows.Sum(r => (long)(r.OutputTokens ?? 0)), metrics.GetProperty("tokens_output").GetInt64());
        var ok = rows.Where(r => r.Status == "ok").Select(r => r.LatencyMs).ToList();
        Assert.Equal(Math.Round(ok.Average(), 3), metrics.GetProperty("avg_response_time_ms").GetDouble(), 3);
        Assert.Equal(Math.Round((double)rows.Count(r => r.Status == "error") / rows.Count, 6), metrics.GetProperty("error_rate").GetDouble(), 6);
        Assert.Equal(0, metrics.GetProperty("fallback_rate").GetDouble());
    }
}
