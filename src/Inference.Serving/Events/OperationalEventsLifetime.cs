using Microsoft.Extensions.Hosting;

namespace Inference.Serving.Events;

/// <summary>
/// The service's own life as events: <c>startup</c> before anything else starts (models load after it), then once it
/// runs <c>services.init</c> (what each transport listens on) and <c>server.ready</c>, and <c>server.stopping</c> when it stops.
/// </summary>
internal sealed class OperationalEventsLifetime(OperationalEvents events, IHostApplicationLifetime lifetime, IEnumerable<IInferenceTransport> transports) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        events.Info(OperationalEventCodes.Startup, $"{events.Service} is starting (process {Environment.ProcessId}).");
        lifetime.ApplicationStarted.Register(() =>
        {
            var listening = transports.Select(t => t.Description).ToList();
            events.Info(OperationalEventCodes.ServicesInit, listening.Count > 0 ? string.Join("; ", listening) + "." : "No transport: in process.");
            events.Info(OperationalEventCodes.ServerReady, $"{events.Service} is ready to accept requests.");
        });
        lifetime.ApplicationStopping.Register(() => events.Info(OperationalEventCodes.ServerStopping, $"{events.Service} is stopping."));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
