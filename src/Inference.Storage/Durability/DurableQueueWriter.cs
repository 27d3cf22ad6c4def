using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Storage.Durability;

/// <summary>
/// Writes a <see cref="DurableQueue{T}"/> to the database off the request path: once the database is ready, queued rows
/// in batches, at most every <see cref="AuditLogOptions.FlushInterval"/> unless a batch fills sooner. A failed batch is
/// kept and retried with backoff until the database answers (a retry first skips rows an unacknowledged commit already
/// wrote); spilled rows are written before new ones. At shutdown what is left is written once more, and spilled to
/// disk if the database is still down. The audit log and the operational events log are two of these.
/// </summary>
internal abstract partial class DurableQueueWriter<T>(
    DurableQueue<T> queue, MetadataState state, AuditLogOptions options, TimeProvider time, string what, ILogger logger) : BackgroundService
    where T : class, IDurableRow
{
    private static readonly TimeSpan ShutdownWriteTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Writes <paramref name="batch"/>; with <paramref name="skipExisting"/>, rows already in the database are left out.</summary>
    protected abstract Task WriteAsync(List<T> batch, bool skipExisting, CancellationToken cancellationToken);

    /// <summary>The rows of <paramref name="batch"/> that <paramref name="stored"/> does not hold yet (by id).</summary>
    protected static async Task<List<T>> WithoutStoredAsync(IQueryable<T> stored, List<T> batch, CancellationToken cancellationToken)
    {
        var ids = batch.Select(r => r.Id).ToList();
        var existing = (await stored.Where(r => ids.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellationToken)).ToHashSet();
        return [.. batch.Where(r => !existing.Contains(r.Id))];
    }

    /// <summary>The database's state: whether its schema and registry are there, and what went wrong last.</summary>
    protected MetadataState State => state;

    /// <summary>Completes when rows may be written (the schema is there; the audit log also waits for the registry).</summary>
    protected virtual Task WhenReadyAsync(CancellationToken cancellationToken) => state.WhenMigrated(cancellationToken);

    /// <summary>A batch failed; the rows are kept and retried.</summary>
    protected virtual void OnFailed(Exception exception)
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WhenReadyAsync(stoppingToken);
        var batch = new List<T>(options.BatchSize);
        while (true)
        {
            if (queue.Spill.Pending > 0)
            {
                await ImportSpillAsync(stoppingToken);
            }

            if (!await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                return;
            }

            if (queue.Reader.Count < options.BatchSize)
            {
                await Task.Delay(options.FlushInterval, time, stoppingToken);
            }

            queue.Take(batch, options.BatchSize);
            await WriteUntilDoneAsync(batch, stoppingToken);
            queue.Written();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var rest = queue.Drain();
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
                Log.WriteFailed(logger, ex, rest.Count, what);
            }
        }

        queue.Spill.Append(rest);
    }

    private async Task ImportSpillAsync(CancellationToken cancellationToken)
    {
        foreach (var file in queue.Spill.Seal())
        {
            long rows = 0;
            foreach (var batch in queue.Spill.Read(file, options.BatchSize))
            {
                await WriteUntilDoneAsync(batch, cancellationToken, skipExisting: true);
                rows += batch.Count;
            }

            queue.Spill.Imported(file, rows);
        }
    }

    private async Task WriteUntilDoneAsync(List<T> batch, CancellationToken cancellationToken, bool skipExisting = false)
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
                    Log.Recovered(logger, what);
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                OnFailed(ex);
                state.LastError = ex.Message;
                Log.WriteFailed(logger, ex, batch.Count, what);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
                skipExisting = true; // the failed attempt may have committed before the connection dropped
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} {What}; they are kept and retried.")]
        public static partial void WriteFailed(ILogger logger, Exception exception, int count, string what);

        [LoggerMessage(Level = LogLevel.Information, Message = "The metadata database answers again; pending {What} are being written.")]
        public static partial void Recovered(ILogger logger, string what);
    }
}
