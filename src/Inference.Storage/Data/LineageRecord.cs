namespace Inference.Storage.Data;

/// <summary>One change of a model's active version: which version replaced which, when, by whom, and why.</summary>
public sealed class LineageRecord
{
    public long Id { get; set; }

    public required string ModelId { get; set; }

    public required string Version { get; set; }

    public string? Replaced { get; set; }

    public DateTimeOffset At { get; set; }

    public string? By { get; set; }

    /// <summary>registered, configuration, activate, deploy, rollback.</summary>
    public required string Reason { get; set; }
}
