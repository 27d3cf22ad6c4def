namespace Inference.Storage.Data;

/// <summary>A score a caller gave one answer (<c>POST /api/feedback</c>), keyed by the request's id.</summary>
public sealed class Feedback
{
    public long Id { get; set; }

    public required string RequestId { get; set; }

    public double Score { get; set; }

    public string? Comment { get; set; }

    public string? Caller { get; set; }

    public DateTimeOffset Timestamp { get; set; }
}
