using Inference.Protocols.Platform;
using Inference.Serving;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Jobs;

/// <summary>
/// This replica's share of the jobs: claims waiting items (up to <see cref="JobOptions.Concurrency"/> at once), runs
/// each as <c>/infer</c> runs a request, or an OpenAI batch's line as its <c>/v1</c> route would (routed to whichever
/// Worker serves its model, with its fallbacks), and records
/// its response. An item whose model is busy or unreachable (429; 502, 503, 504: a Worker down, draining or timing
/// out) waits and is tried again, up to
/// <see cref="JobOptions.MaxAttempts"/>; any other answer, success or error, is the item's result.
/// </summary>
internal sealed partial class JobProcessor(
    MetadataState state,
    InferenceJobs jobs,
    IJobQueue stream,
    TimeProvider time,
    InferRunner runner,
    Batches.OpenAIBatches batches,
    IOptions<JobOptions> options,
    ILogger<JobProcessor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        await state.WhenRegistered(stoppingToken);
        var running = new List<Task>();
        var lastDatabasePoll = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            var free = options.Value.Concurrency - running.Count;
            var claimed = 0;
            if (free > 0)
            {
                try
                {
                    if (stream.Enabled)
                    {
                        claimed += await ClaimFromStreamAsync(free, running, stoppingToken);
                    }

                    var now = time.GetUtcNow();
                    if (claimed < free && (!stream.Enabled || now - lastDatabasePoll >= options.Value.DatabasePollInterval))
                    {
                        lastDatabasePoll = now;
                        var found = await jobs.ClaimAsync(free - claimed, stoppingToken);
                        running.AddRange(found.Select(item => RunAsync(item, null, stoppingToken)));
                        claimed += found.Count;
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The database is away: the items wait there.
                    Log.Failed(logger, "(claim)", ex.Message);
                }
            }

            if (claimed == free && free > 0)
            {
                continue; // more may be waiting
            }

            // Wait for an item to finish, new work, or the poll interval.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(options.Value.PollInterval);
            var arrived = jobs.Arrived.WaitToReadAsync(wait.Token).AsTask();
            await Task.WhenAny([arrived, .. running]);
            jobs.Arrived.TryRead(out _);
            await wait.CancelAsync();
            try
            {
                await arrived;
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }

        await Task.WhenAll(running);
    }

    /// <summary>Claims the items of the entries the stream gives this replica; an entry whose item is done or held elsewhere is acknowledged.</summary>
    private async Task<int> ClaimFromStreamAsync(int free, List<Task> running, CancellationToken cancellationToken)
    {
        var entries = await stream.ReadAsync(jobs.Replica, free);
        if (entries.Count == 0)
        {
            return 0;
        }

        var claimed = await jobs.ClaimAsync(entries, cancellationToken);
        foreach (var entry in entries)
        {
            if (claimed.FirstOrDefault(i => i.JobId == entry.Job && i.Index == entry.Index) is { } item)
            {
                running.Add(RunAsync(item, entry, cancellationToken));
            }
            else
            {
                await stream.AckAsync(entry);
            }
        }

        return claimed.Count;
    }

    private async Task RunAsync(Inference.Storage.Data.InferenceJobItem item, QueuedItem? entry, CancellationToken cancellationToken)
    {
        await RunAsync(item, cancellationToken);
        if (entry is not null && !cancellationToken.IsCancellationRequested)
        {
            // Recorded, or given back to wait in the database (which finds it when it is due): the entry is done.
            await stream.AckAsync(entry);
        }
    }

    private async Task RunAsync(Inference.Storage.Data.InferenceJobItem item, CancellationToken cancellationToken)
    {
        try
        {
            var (status, response, success) = item.Endpoint is null
                ? await RunInferAsync(item, cancellationToken)
                : await batches.RunAsync(item, cancellationToken);
            if (status is 429 or 502 or 503 or 504 && item.Attempts < options.Value.MaxAttempts)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(30, 1 << item.Attempts));
                Log.Retrying(logger, item.JobId, item.Index, status.Value, delay.TotalSeconds);
                await jobs.ReleaseAsync(item, delay, cancellationToken);
                return;
            }

            await jobs.RecordAsync(item, response, success, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Left claimed: another try once the claim expires.
            Log.Failed(logger, $"{item.JobId}-{item.Index}", ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the claim expires and another replica (or this one after a restart) runs it.
        }
    }

    private async Task<(int? Status, string Response, bool Success)> RunInferAsync(Inference.Storage.Data.InferenceJobItem item, CancellationToken cancellationToken)
    {
        // Run as the job's owner, audited under the item's own id.
        var context = await jobs.ContextAsync(item, cancellationToken);
        using var scope = InferenceContext.Begin(context);
        var outcome = await runner.RunAsync(InferJson.ParseRequest(item.Request), context.RequestId, item: false, cancellationToken);
        return (outcome.Status, InferJson.Serialize(outcome.Response), outcome.Response.Success);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job} item {Index}: the model answered {Status}; tried again in {Seconds} s.")]
        public static partial void Retrying(ILogger logger, string job, int index, int status, double seconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Job work {Item} failed and will be tried again: {Reason}")]
        public static partial void Failed(ILogger logger, string item, string reason);
    }
}
