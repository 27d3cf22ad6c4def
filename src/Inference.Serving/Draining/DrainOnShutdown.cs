using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Draining;

/// <summary>
/// On shutdown, before any hosted service stops (the web server included, so it still answers): the service turns
/// unready, refuses new inference requests, and waits for the accepted ones, queued ones included, up to
/// <see cref="DrainingOptions.Timeout"/> (and within the host's own shutdown timeout).
/// </summary>
internal sealed partial class DrainOnShutdown(DrainState state, IOptions<DrainingOptions> options, TimeProvider time, ILogger<DrainOnShutdown> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var accepted = state.InFlight;
        LogDraining(logger, accepted);
        using var timeout = new CancellationTokenSource(options.Value.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await state.DrainAsync(time, linked.Token);
            LogDrained(logger, accepted);
        }
        catch (OperationCanceledException)
        {
            LogGaveUp(logger, state.InFlight);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: refusing new inference requests, waiting for {Accepted} accepted")]
    private static partial void LogDraining(ILogger logger, int accepted);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained: the {Accepted} accepted inference requests finished")]
    private static partial void LogDrained(ILogger logger, int accepted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining timed out with {InFlight} inference requests still running; stopping anyway")]
    private static partial void LogGaveUp(ILogger logger, int inFlight);
}
