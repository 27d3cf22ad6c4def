using System.Text.Json.Serialization;

namespace Inference.Lifecycle.Experiments;

/// <summary><c>POST /ab-tests/start</c>: the test's id, its two models, the share of traffic B gets, its duration and the metrics it is judged by.</summary>
public sealed record StartAbTestRequest
{
    [JsonPropertyName("test_id")] public string? TestId { get; init; }

    /// <summary>A name or <c>name:version</c>; requests for this name are split.</summary>
    [JsonPropertyName("model_a")] public string? ModelA { get; init; }

    [JsonPropertyName("model_b")] public string? ModelB { get; init; }

    /// <summary>B's share of the traffic, above 0 and below 1.</summary>
    [JsonPropertyName("traffic_split")] public double? TrafficSplit { get; init; }

    /// <summary>The test completes on its own after this long; without it, it runs until stopped.</summary>
    [JsonPropertyName("duration_hours")] public double? DurationHours { get; init; }

    /// <summary>What decides the verdict, in order: success (or accuracy, error_rate), response_time (or latency), feedback.</summary>
    [JsonPropertyName("success_metrics")] public List<string>? SuccessMetrics { get; init; }
}

/// <summary><c>POST /api/feedback</c>: a score for the answer of one request (its <c>x-request-id</c>).</summary>
public sealed record FeedbackRequest(
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("score")] double? Score,
    [property: JsonPropertyName("comment")] string? Comment);

public sealed record FeedbackResponse(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("created_at")] DateTimeOffset Created);

/// <summary>An A/B test, its arms' numbers and what they mean.</summary>
public sealed record AbTestResponse(
    [property: JsonPropertyName("test_id")] string TestId,
    [property: JsonPropertyName("model_a")] string ModelA,
    [property: JsonPropertyName("model_b")] string ModelB,
    [property: JsonPropertyName("route")] string Route,
    [property: JsonPropertyName("traffic_split")] double TrafficSplit,
    [property: JsonPropertyName("success_metrics")] IReadOnlyList<string> SuccessMetrics,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("started_at")] DateTimeOffset Started,
    [property: JsonPropertyName("ends_at")] DateTimeOffset? Ends,
    [property: JsonPropertyName("stopped_at")] DateTimeOffset? Stopped,
    [property: JsonPropertyName("arms")] IReadOnlyList<ArmSummary> Arms,
    [property: JsonPropertyName("significance")] AbTestSignificance Significance);

/// <summary>One arm: calls, errors, latency, tokens, feedback.</summary>
public sealed record ArmSummary(
    [property: JsonPropertyName("arm")] string Arm,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("errors")] int Errors,
    [property: JsonPropertyName("error_rate")] double? ErrorRate,
    [property: JsonPropertyName("latency_p50_ms")] double? LatencyP50Ms,
    [property: JsonPropertyName("latency_p95_ms")] double? LatencyP95Ms,
    [property: JsonPropertyName("latency_mean_ms")] double? LatencyMeanMs,
    [property: JsonPropertyName("tokens_in")] long TokensIn,
    [property: JsonPropertyName("tokens_out")] long TokensOut,
    [property: JsonPropertyName("feedback_count")] int FeedbackCount,
    [property: JsonPropertyName("feedback_mean")] double? FeedbackMean);

/// <summary>Each test's statistic and p-value, the verdict, and the calls per arm still needed to tell the arms apart.</summary>
public sealed record AbTestSignificance(
    [property: JsonPropertyName("alpha")] double Alpha,
    [property: JsonPropertyName("success")] MetricTest? Success,
    [property: JsonPropertyName("latency")] MetricTest? Latency,
    [property: JsonPropertyName("feedback")] MetricTest? Feedback,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("winner")] string? Winner,
    [property: JsonPropertyName("deciding_metric")] string? DecidingMetric);

/// <param name="Test">two_proportion_z or welch_t.</param>
/// <param name="Better">The arm the data favours on this metric (a or b), whether significant or not; null on a tie.</param>
/// <param name="RequiredPerArm">Calls per arm a test at α 0.05 with power 0.8 needs for the difference seen; null when there is none.</param>
/// <param name="AdditionalNeeded">How many more calls the smaller arm needs to reach that.</param>
public sealed record MetricTest(
    [property: JsonPropertyName("test")] string Test,
    [property: JsonPropertyName("statistic")] double Statistic,
    [property: JsonPropertyName("degrees_of_freedom")] double? DegreesOfFreedom,
    [property: JsonPropertyName("p_value")] double PValue,
    [property: JsonPropertyName("significant")] bool Significant,
    [property: JsonPropertyName("better")] string? Better,
    [property: JsonPropertyName("required_per_arm")] double? RequiredPerArm,
    [property: JsonPropertyName("additional_needed")] double? AdditionalNeeded);
