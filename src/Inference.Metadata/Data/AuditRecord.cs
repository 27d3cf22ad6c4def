namespace Inference.Metadata.Data;

/// <summary>A row of the request audit log: one inference call.</summary>
public sealed class AuditRecord
{
    public Guid Id { get; set; }

    public required string RequestId { get; set; }

    public required string Model { get; set; }

    public string? Version { get; set; }

    public required string Provider { get; set; }

    /// <summary>chat or embeddings.</summary>
    public required string Operation { get; set; }

    public int? InputTokens { get; set; }

    public int? OutputTokens { get; set; }

    public double LatencyMs { get; set; }

    public double? TimeToFirstTokenMs { get; set; }

    /// <summary>ok, error or cancelled.</summary>
    public required string Status { get; set; }

    public string? Error { get; set; }

    public string? Caller { get; set; }

    public DateTimeOffset Timestamp { get; set; }
}
