using System.Text.Json;
using static Inference.Api.FunctionalTests.Seeds.SeedApiFixture;

namespace Inference.Api.FunctionalTests.Seeds;

/// <summary>
/// Seed 002's documented requests, as its README writes them, with its model names replaced by ours (summarizer and
/// generator by the chat model, sentiment by the classifier, version v1 by our version 1): the health check, the model
/// list, /infer in its three uses, /infer/batch, and /metrics; answered in its response format.
/// </summary>
public sealed class Seed002RequestsTests(SeedApiFixture fixture) : IClassFixture<SeedApiFixture>
{
    [Fact]
    public async Task Its_curl_requests_answer_in_its_response_format()
    {
        using var http = await fixture.ReadyClientAsync();
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
        var models = await GetAsync(http, "/models");
        Assert.Contains(models.GetProperty("models").EnumerateArray(), m => m.GetProperty("name").GetString() == Chat);

        // Text Summarization
        var summary = await PostAsync(http, "/infer", $$"""
            {
              "text": "The quick brown fox jumps over the lazy dog. This is a sample text that needs to be summarized to demonstrate the summarization capabilities of the AI inference backend platform.",
              "model": "{{Chat}}",
              "version": "1"
            }
            """);
        AssertResponse(summary, $"{Chat}:1", "chat");
        Assert.Equal(JsonValueKind.String, summary.GetProperty("result").ValueKind);

        // Sentiment Analysis: a classifier's "classification with confidence score".
        var sentiment = await PostAsync(http, "/infer", $$"""
            {
              "text": "I love this AI inference backend! It works perfectly.",
              "model": "{{Classifier}}",
              "version": "1"
            }
            """);
        AssertResponse(sentiment, $"{Classifier}:1", "classification");
        HasFields(sentiment.GetProperty("result"), "label", "confidence");

        // Text Generation, with max_length.
        var generated = await PostAsync(http, "/infer", $$"""
            {
              "text": "The future of AI is",
              "model": "{{Chat}}",
              "version": "1",
              "parameters": {
                "max_length": 50
              }
            }
            """);
        AssertResponse(generated, $"{Chat}:1", "chat");

        // Batch Inference
        var batch = await PostAsync(http, "/infer/batch", $$"""
            {
              "requests": [
                {
                  "text": "First text to process",
                  "model": "{{Chat}}"
                },
                {
                  "text": "Second text to process",
                  "model": "{{Classifier}}"
                }
              ]
            }
            """);
        var results = batch.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        AssertResponse(results[0], $"{Chat}:1", "chat");
        AssertResponse(results[1], $"{Classifier}:1", "classification");

        // Get Metrics: request counts per model, latency.
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains($"ml_inference_requests_total{{otel_scope_name=\"Inference.Monitoring\",model=\"{Chat}\"", metrics, StringComparison.Ordinal);
        Assert.Contains("ml_inference_request_duration_seconds_bucket", metrics, StringComparison.Ordinal);
    }

    /// <summary>Seed 002's response format: success, result, model_used, latency_ms, request_id, timestamp, metadata.model_type.</summary>
    private static void AssertResponse(JsonElement response, string modelUsed, string modelType)
    {
        HasFields(response, "success", "result", "model_used", "latency_ms", "request_id", "timestamp", "metadata");
        Assert.True(response.GetProperty("success").GetBoolean(), response.ToString());
        Assert.Equal(modelUsed, response.GetProperty("model_used").GetString());
        Assert.True(response.GetProperty("latency_ms").GetDouble() > 0);
        Assert.False(string.IsNullOrEmpty(response.GetProperty("request_id").GetString()));
        Assert.InRange(response.GetProperty("timestamp").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(modelType, response.GetProperty("metadata").GetProperty("model_type").GetString());
    }
}
