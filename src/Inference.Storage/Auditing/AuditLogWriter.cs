using Inference.Storage.Data;
using Inference.Storage.Durability;
using Inference.Serving.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Storage.Auditing;

/// <summary>
/// Writes the audit log (<see cref="DurableQueueWriter{T}"/>: batched, retried, spilled, never dropped), once the
/// registry is written: rows name their model's version, which is known from then on.
/// </summary>
internal sealed class AuditLogWriter(
    AuditLog log,
    IDbContextFactory<MetadataDbContext> contexts,
    MetadataState metadataState,
    MetadataTelemetry telemetry,
    IOptions<MetadataOptions> options,
    TimeProvider time,
    ILogger<AuditLogWriter> logger,
    IModelVersions? versions = null)
    : DurableQueueWriter<AuditRecord>(log.Queue, metadataState, options.Value.Audit, time, "audit records", logger)
{
    protected override Task WhenReadyAsync(CancellationToken cancellationToken) => State.WhenRegistered(cancellationToken);

    protected override void OnFailed(Exception exception) => telemetry.WriteFailures.Add(1);

    protected override async Task WriteAsync(List<AuditRecord> batch, bool skipExisting, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var row in batch)
        {
            row.Version ??= versions?.VersionOf(row.Model);
        }

        var rows = skipExisting ? await WithoutStoredAsync(db.AuditRecords, batch, cancellationToken) : batch;

        await AuditBulkInsert.WriteAsync(db, rows, cancellationToken);
        telemetry.Written.Add(rows.Count);
    }
}
