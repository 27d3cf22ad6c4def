using Inference.Metadata.Data;
using Inference.Metadata.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Metadata.Auditing;

/// <summary>
/// Writes the audit log off the request path: waits for the schema and the registry, then writes queued rows in batches, at most every
/// <see cref="AuditLogOptions.FlushInterval"/> unless a batch fills sooner. A failed batch
/// is kept and retried with backoff until the database answers (a retry first skips rows an unacknowledged commit
/// already wrote); spilled rows are written before new ones. At shutdown what is left is written once more, and
/// spilled to disk if the database is still down.
/// </summary>
internal sealed partial class AuditLogWriter(
    AuditLog log,
    AuditSpill spill,
    ModelRegistry registry,
    IDbContextFactory<MetadataDbContext> contexts,
    MetadataState state,
    MetadataTelemetry telemetry,
    IOptions<MetadataOptions> options,
    TimeProvider time,
    ILogger<AuditLogWriter> logger) : BackgroundService
{
    private static readonly TimeSpan ShutdownWriteTimeout = TimeSpan.FromSeconds(5);

    private readonly AuditLogOptions _options = options.Value.Audit;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Rows name their model's version, which is known once the registry is written.
        await state.WhenRegistered(stoppingToken);
        var batch = new List<AuditRecord>(_options.BatchSize);
        while (true)
        {
            if (spill.Pending > 0)
            {
                await ImportSpillAsync(stoppingToken);
            }

            if (!await log.Reader.WaitToReadAsync(stoppingToken))
            {
                return;
            }

            if (log.Reader.Count < _options.BatchSize)
            {
                await Task.Delay(_options.FlushInterval, time, stoppingToken);
            }

            log.Take(batch, _options.BatchSize);
            await WriteUntilDoneAsync(batch, stoppingToken);
            log.Written();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var rest = log.Drain();
        if (rest.Count == 0)
        {
            return;
        }

        if (state.IsMigrated)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ShutdownWriteTimeout);
            try
            {
                await WriteAsync(rest, skipExisting: true, timeout.Token);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.WriteFailed(logger, ex, rest.Count);
            }
        }

        spill.Append(rest);
    }

    private async Task ImportSpillAsync(CancellationToken cancellationToken)
    {
        foreach (var file in spill.Seal())
        {
            long rows = 0;
            foreach (var batch in AuditSpill.Read(file, _options.BatchSize))
            {
                await WriteUntilDoneAsync(batch, cancellationToken, skipExisting: true);
                rows += batch.Count;
            }

            spill.Imported(file, rows);
        }
    }

    private async Task WriteUntilDoneAsync(List<AuditRecord> batch, CancellationToken cancellationToken, bool skipExisting = false)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await WriteAsync(batch, skipExisting, cancellationToken);
                if (state.LastError is not null)
                {
                    state.LastError = null;
                    Log.Recovered(logger);
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                telemetry.WriteFailures.Add(1);
                state.LastError = ex.Message;
                Log.WriteFailed(logger, ex, batch.Count);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
                skipExisting = true; // the failed attempt may have committed before the connection dropped
            }
        }
    }

    private async Task WriteAsync(List<AuditRecord> batch, bool skipExisting, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var row in batch)
        {
            row.Version ??= registry.DefaultVersion(row.Model);
        }

        var rows = batch;
        if (skipExisting)
        {
            var ids = batch.Select(r => r.Id).ToList();
            var existing = (await db.AuditRecords.Where(r => ids.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellationToken)).ToHashSet();
            rows = [.. batch.Where(r => !existing.Contains(r.Id))];
        }

        await AuditBulkInsert.WriteAsync(db, rows, cancellationToken);
        telemetry.Written.Add(rows.Count);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} audit records; they are kept and retried.")]
        public static partial void WriteFailed(ILogger logger, Exception exception, int count);

        [LoggerMessage(Level = LogLevel.Information, Message = "The metadata database answers again; pending audit records are being written.")]
        public static partial void Recovered(ILogger logger);
    }
}
