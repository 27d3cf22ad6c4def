using System.Text.Json.Serialization;
using Inference.Serving.Auditing;
using Inference.Serving.Catalog;

namespace Inference.Monitoring;

/// <summary><c>GET /performance/report</c>: per model and version, how its calls went over a window.</summary>
public sealed record PerformanceReport(
    [property: JsonPropertyName("generated_at")] DateTimeOffset GeneratedAt,
    [property: JsonPropertyName("window_seconds")] double WindowSeconds,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("totals")] ModelPerformance Totals,
    [property: JsonPropertyName("models")] IReadOnlyList<ModelPerformance> Models)
{
    public static PerformanceReport Build(IReadOnlyList<InferenceCall> calls, TimeSpan window, string service, IModelVersions? versions, DateTimeOffset now) => new(
        now,
        window.TotalSeconds,
        service,
        ModelPerformance.Of("*", null, null, calls, window),
        [.. calls.GroupBy(c => (c.Model, c.Operation))
            .OrderBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => ModelPerformance.Of(g.Key.Model, versions?.VersionOf(g.Key.Model), g.Key.Operation, [.. g], window))]);
}

/// <summary>One model's (or all models') calls over the report's window.</summary>
public sealed record ModelPerformance(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("operation")] string? Operation,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("errors")] int Errors,
    [property: JsonPropertyName("cancelled")] int Cancelled,
    [property: JsonPropertyName("error_rate")] double ErrorRate,
    [property: JsonPropertyName("latency_ms")] Percentiles Latency,
    [property: JsonPropertyName("time_to_first_token_ms")] Percentiles TimeToFirstToken,
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens,
    [property: JsonPropertyName("input_tokens_per_second")] double InputTokensPerSecond,
    [property: JsonPropertyName("output_tokens_per_second")] double OutputTokensPerSecond,
    [property: JsonPropertyName("output_tokens_per_second_per_request")] double? OutputTokensPerSecondPerRequest,
    [property: JsonPropertyName("cache_hits")] int CacheHits,
    [property: JsonPropertyName("cache_hit_rate")] double CacheHitRate)
{
    public static ModelPerformance Of(string model, string? version, string? operation, IReadOnlyList<InferenceCall> calls, TimeSpan window)
    {
        var s = CallStatistics.Of(calls, window);
        return new(model, version, operation, s.Requests, s.Errors, s.Cancelled, Math.Round(s.ErrorRate, 4),
            new Percentiles(Ms(s.LatencyP50), Ms(s.LatencyP95), Ms(s.LatencyP99)),
            new Percentiles(Ms(s.TimeToFirstTokenP50), Ms(s.TimeToFirstTokenP95), null),
            s.InputTokens, s.OutputTokens, Math.Round(s.InputTokensPerSecond, 3), Math.Round(s.OutputTokensPerSecond, 3),
            s.OutputTokensPerSecondPerRequest is { } speed ? Math.Round(speed, 2) : null, s.CacheHits, Math.Round(s.CacheHitRate, 4));
    }

    private static double? Ms(TimeSpan? value) => value is { } v ? Math.Round(v.TotalMilliseconds, 1) : null;
}

public sealed record Percentiles(
    [property: JsonPropertyName("p50")] double? P50,
    [property: JsonPropertyName("p95")] double? P95,
    [property: JsonPropertyName("p99")] double? P99);
