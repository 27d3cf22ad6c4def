namespace Inference.Storage.Data;

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

    /// <summary>The tenant whose job it is (null when created with authentication off): only it and admins see it.</summary>
    public string? Tenant { get; set; }

    /// <summary>The key that created it: its items' usage is counted to that key.</summary>
    public string? KeyId { get; set; }

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Updated { get; set; }

    public DateTimeOffset? Completed { get; set; }

    /// <summary>For an OpenAI batch: the route its items call (<c>/v1/chat/completions</c>, ...); null for an inference job.</summary>
    public string? Endpoint { get; set; }

    /// <summary>For an OpenAI batch: the uploaded file its items came from.</summary>
    public string? InputFileId { get; set; }

    /// <summary>For an OpenAI batch: its metadata object (JSON), as given.</summary>
    public string? Metadata { get; set; }

    /// <summary>For an OpenAI batch, once finished: the file of its answered items (null when none succeeded).</summary>
    public string? OutputFileId { get; set; }

    /// <summary>For an OpenAI batch, once finished: the file of its failed or cancelled items (null when none).</summary>
    public string? ErrorFileId { get; set; }

    /// <summary>For an OpenAI batch: true once its output and error files are written.</summary>
    public bool Finalized { get; set; }

    /// <summary>Where the job's completion is posted (signed), or null.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Deliveries of the webhook tried so far.</summary>
    public int WebhookAttempts { get; set; }

    /// <summary>When the webhook is next tried (or, while one replica delivers it, until when it holds it).</summary>
    public DateTimeOffset? WebhookNextAttempt { get; set; }

    /// <summary>When a delivery of the webhook was answered 2xx.</summary>
    public DateTimeOffset? WebhookDelivered { get; set; }

    public List<InferenceJobItem> Items { get; set; } = [];
}
