using Inference.Metadata.Data;
using Inference.Metadata.Durability;
using Inference.Metadata.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Metadata.Auditing;

/// <summary>
/// Writes the audit log (<see cref="DurableQueueWriter{T}"/>: batched, retried, spilled, never dropped), once the
/// registry is written: rows name their model's version, which is known from then on.
/// </summary>
internal sealed class AuditLogWriter(
    AuditLog log,
    ModelRegistry registry,
    IDbContextFactory<MetadataDbContext> contexts,
    MetadataState metadataState,
    MetadataTelemetry telemetry,
    IOptions<MetadataOptions> options,
    TimeProvider time,
    ILogger<AuditLogWriter> logger)
    : DurableQueueWriter<AuditRecord>(log.Queue, metadataState, options.Value.Audit, time, "audit records", logger)
{
    protected override Task WhenReadyAsync(CancellationToken cancellationToken) => State.WhenRegistered(cancellationToken);

    protected override void OnFailed(Exception exception) => telemetry.WriteFailures.Add(1);

    protected override async Task WriteAsync(List<AuditRecord> batch, bool skipExisting, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var row in batch)
        {
            row.Version ??= registry.DefaultVersion(row.Model);
        }

        var rows = skipExisting ? await WithoutStoredAsync(db.AuditRecords, batch, cancellationToken) : batch;

        await AuditBulkInsert.WriteAsync(db, rows, cancellationToken);
        telemetry.Written.Add(rows.Count);
    }
}
