using Inference.Storage.Data;
using Inference.Storage.Durability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Storage.Events;

/// <summary>Writes the operational events log (<see cref="DurableQueueWriter{T}"/>: batched, retried, spilled, never dropped) once the schema is there.</summary>
internal sealed class OperationalEventWriter(
    OperationalEventLog log,
    IDbContextFactory<MetadataDbContext> contexts,
    MetadataState state,
    IOptions<MetadataOptions> options,
    TimeProvider time,
    ILogger<OperationalEventWriter> logger)
    : DurableQueueWriter<OperationalEventRecord>(log.Queue, state, options.Value.Audit, time, "operational events", logger)
{
    protected override async Task WriteAsync(List<OperationalEventRecord> batch, bool skipExisting, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = skipExisting ? await WithoutStoredAsync(db.OperationalEvents, batch, cancellationToken) : batch;

        // Rows are sent as new ones, whatever an earlier attempt left them as.
        db.OperationalEvents.AddRange(rows.Select(Copy));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static OperationalEventRecord Copy(OperationalEventRecord row) => new()
    {
        Id = row.Id,
        Timestamp = row.Timestamp,
        Level = row.Level,
        Code = row.Code,
        Message = row.Message,
        Service = row.Service,
        Model = row.Model,
        DurationMs = row.DurationMs,
    };
}
