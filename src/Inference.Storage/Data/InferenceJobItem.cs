namespace Inference.Storage.Data;

/// <summary>
/// One request of a job: what to run, and once it ran, its response. A gateway replica claims it for a while
/// (<see cref="ClaimedUntil"/>); one that dies leaves the claim to expire, and another takes it. The response is
/// recorded once: only over a pending item.
/// </summary>
public sealed class InferenceJobItem
{
    public required string JobId { get; set; }

    public int Index { get; set; }

    /// <summary>The <c>/v1</c> route an OpenAI batch item calls; null for an <c>/infer</c> request.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The request (JSON): as <c>/infer</c> takes it, or an OpenAI batch input line.</summary>
    public required string Request { get; set; }

    /// <summary>pending, succeeded, failed, cancelled.</summary>
    public required string Status { get; set; }

    /// <summary>The response (JSON) once done: as <c>/infer</c> gives it, or an OpenAI batch item's status_code, request_id and body.</summary>
    public string? Response { get; set; }

    public string? ClaimedBy { get; set; }

    public DateTimeOffset? ClaimedUntil { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? Completed { get; set; }
}
