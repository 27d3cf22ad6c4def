namespace Inference.Storage;

/// <summary>How the audit log buffers and writes (<c>Inference:Metadata:Audit</c>).</summary>
public sealed class AuditLogOptions
{
    /// <summary>Calls held in memory while the database is slow or down; beyond that they go to the spill directory.</summary>
    public int Capacity { get; set; } = 100_000;

    /// <summary>Rows written per round trip.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How long the writer lets rows gather before writing a batch that is not full: a row a request would cost a
    /// transaction a request; this makes it a few transactions a second however busy the service is.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between attempts while the database is unavailable.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where calls go when memory is full or the service stops while the database is down (JSON lines); written to the
    /// database, then deleted, once it answers again. Defaults to InferenceAspire/audit-spill in local application data.
    /// </summary>
    public string SpillDirectory { get; set; } = Path.Combine(MetadataOptions.DataDirectory, "audit-spill");
}
