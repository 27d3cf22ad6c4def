namespace Inference.Metadata.Data;

/// <summary>
/// An asynchronous batch of inference requests (<c>POST /api/inference/batch</c>): its state. What its items have come
/// to is counted from them when read (replicas record items concurrently).
/// </summary>
public sealed class InferenceJob
{
    public required string Id { get; set; }

    /// <summary>queued, running, completed, cancelled.</summary>
    public required string Status { get; set; }

    public int Total { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Updated { get; set; }

    public DateTimeOffset? Completed { get; set; }

    public List<InferenceJobItem> Items { get; set; } = [];
}
