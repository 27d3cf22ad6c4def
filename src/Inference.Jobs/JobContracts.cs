using System.Text.Json;
using System.Text.Json.Serialization;

namespace Inference.Jobs;

/// <summary>A job's state, counts, and the responses of the items done so far, in order.</summary>
public sealed record JobResponse(
    [property: JsonPropertyName("job_id")] string JobId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("completed")] int Completed,
    [property: JsonPropertyName("succeeded")] int Succeeded,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("created_at")] DateTimeOffset Created,
    [property: JsonPropertyName("completed_at")] DateTimeOffset? CompletedAt,
    [property: JsonPropertyName("results")] IReadOnlyList<JobItemResponse>? Results);

/// <summary>One item: its state, and once it ran, <c>/infer</c>'s response for it.</summary>
public sealed record JobItemResponse(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("response")] JsonElement? Response);

/// <summary>
/// <c>POST /api/inference/batch</c>'s body, for its documentation (the route reads it itself, so that each request's
/// own errors are told per item): inference requests and where to be told when the job is done.
/// </summary>
public sealed record JobRequest(
    [property: JsonPropertyName("requests")] IReadOnlyList<Inference.Protocols.Platform.InferRequest> Requests,
    [property: JsonPropertyName("webhook_url")] string? WebhookUrl = null);
