namespace Inference.Storage.Data;

/// <summary>A model download (<c>POST /api/models/download</c>, <c>/api/pull</c>): what, where to, and how it ended.</summary>
public sealed class DownloadRecord
{
    public required string Id { get; set; }

    /// <summary>The model it becomes.</summary>
    public required string Model { get; set; }

    /// <summary>The hub repository (<c>org/name</c>) or the URL.</summary>
    public required string Source { get; set; }

    public string? Revision { get; set; }

    /// <summary>queued, downloading, verifying, completed, failed, interrupted.</summary>
    public required string Status { get; set; }

    public long? TotalBytes { get; set; }

    public long DownloadedBytes { get; set; }

    public string? Error { get; set; }

    /// <summary>The version registered when it completed.</summary>
    public string? Version { get; set; }

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset? Completed { get; set; }
}
