using Microsoft.Extensions.Hosting;

namespace Inference.Monitoring;

/// <summary>Creates the monitoring instruments at start, so the gauges are in the first scrape.</summary>
internal sealed class MonitoringTelemetryActivator(MonitoringTelemetry telemetry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(telemetry);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
