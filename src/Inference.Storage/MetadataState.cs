using Microsoft.Extensions.Logging;

namespace Inference.Storage;

/// <summary>
/// Whether the database has its schema and the registry yet, and what went wrong last, for the writers and the health
/// check; the moments it stops and starts answering are operational events (<c>metadata.unavailable</c> / <c>restored</c>).
/// </summary>
public sealed partial class MetadataState(Inference.Serving.Events.OperationalEvents? events = null)
{
    private readonly Lock _lock = new();
    private string? _lastError;

    private readonly TaskCompletionSource _migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _routed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsMigrated => _migrated.Task.IsCompleted;

    /// <summary>Why the last write failed, until one succeeds.</summary>
    public string? LastError
    {
        get => _lastError;
        set
        {
            string? previous;
            lock (_lock)
            {
                previous = _lastError;
                _lastError = value;
            }

            if (previous is null && value is not null)
            {
                events?.Warning(Inference.Serving.Events.OperationalEventCodes.MetadataUnavailable, $"The metadata database does not answer ({value}); audit records and events are kept and written when it does.");
            }
            else if (previous is not null && value is null)
            {
                events?.Info(Inference.Serving.Events.OperationalEventCodes.MetadataRestored, "The metadata database answers again; what was kept is being written.");
            }
        }
    }

    public Task WhenMigrated(CancellationToken cancellationToken) => _migrated.Task.WaitAsync(cancellationToken);

    public void MarkMigrated() => _migrated.TrySetResult();

    /// <summary>Completes once the served models and their versions are in the registry.</summary>
    public Task WhenRegistered(CancellationToken cancellationToken) => _registered.Task.WaitAsync(cancellationToken);

    public void MarkRegistered() => _registered.TrySetResult();

    /// <summary>True once the registry has been read and every version registered in it is served here (or failed to load).</summary>
    public bool IsRouted => _routed.Task.IsCompleted;

    public void MarkRouted() => _routed.TrySetResult();

    /// <summary>Runs a step against the database until it succeeds, backing off up to 10 s; <see cref="LastError"/> says why it has not yet.</summary>
    public async Task RetryAsync(string what, Func<CancellationToken, Task> action, TimeProvider time, ILogger logger, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await action(stoppingToken);
                LastError = null;
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LastError = ex.Message;
                Log.Failed(logger, ex, what, delay.TotalSeconds);
                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not {What} in the metadata database; retrying in {Seconds:0.##} s.")]
        public static partial void Failed(ILogger logger, Exception exception, string what, double seconds);
    }
}
