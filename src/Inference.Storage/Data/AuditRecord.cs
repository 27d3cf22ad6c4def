namespace Inference.Storage.Data;

/// <summary>A row of the request audit log: one inference call.</summary>
public sealed class AuditRecord : Durability.IDurableRow
{
    public Guid Id { get; set; }

    public required string RequestId { get; set; }

    public required string Model { get; set; }

    public string? Version { get; set; }

    public required string Provider { get; set; }

    /// <summary>chat, embeddings or classify.</summary>
    public required string Operation { get; set; }

    public int? InputTokens { get; set; }

    public int? OutputTokens { get; set; }

    public double LatencyMs { get; set; }

    public double? TimeToFirstTokenMs { get; set; }

    /// <summary>ok, error or cancelled.</summary>
    public required string Status { get; set; }

    public string? Error { get; set; }

    public string? Caller { get; set; }

    /// <summary>The API key (or token subject) the call was made with, when authentication is on.</summary>
    public string? KeyId { get; set; }

    /// <summary>The tenant that key belongs to: whose usage the call is.</summary>
    public string? Tenant { get; set; }

    public DateTimeOffset Timestamp { get; set; }

    /// <summary>The deployment or A/B test that routed the call here, if one did.</summary>
    public string? Experiment { get; set; }

    /// <summary>Its side: stable / canary, a / b.</summary>
    public string? Arm { get; set; }

    /// <summary>When a fallback answered: the model the request was routed to first.</summary>
    public string? FallbackFrom { get; set; }

    /// <summary>The call's attempt within its request (1 for the first).</summary>
    public int Attempt { get; set; } = 1;
}
