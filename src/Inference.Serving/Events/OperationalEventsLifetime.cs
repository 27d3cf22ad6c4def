using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;

namespace Inference.Serving.Events;

/// <summary>
/// The service's own life as events: <c>startup</c> before anything else starts (models load after it), then
/// <c>services.init</c> and <c>server.ready</c> once the HTTP server listens, <c>server.stopping</c> when it stops.
/// </summary>
internal sealed class OperationalEventsLifetime(OperationalEvents events, IHostApplicationLifetime lifetime, IServer server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        events.Info(OperationalEventCodes.Startup, $"{events.Service} is starting (process {Environment.ProcessId}).");
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } listening ? string.Join(", ", listening) : "in process";
            events.Info(OperationalEventCodes.ServicesInit, $"HTTP API listening on {addresses}.");
            events.Info(OperationalEventCodes.ServerReady, $"{events.Service} is ready to accept requests.");
        });
        lifetime.ApplicationStopping.Register(() => events.Info(OperationalEventCodes.ServerStopping, $"{events.Service} is stopping."));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
