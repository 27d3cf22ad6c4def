using Inference.Monitoring.Alerts;
using Inference.Monitoring.Services;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Monitoring;

/// <summary>
/// Every <see cref="MonitoringOptions.SampleInterval"/>: runs the health checks, reads memory, asks the services this
/// one routes to for their status, scores health, evaluates the alerts, and sends a snapshot to the live stream.
/// </summary>
internal sealed partial class MonitoringSampler(
    HealthCheckService health,
    ServiceDirectory directory,
    AlertEvaluator alerts,
    CallWindow window,
    MonitoringState state,
    MonitoringEvents events,
    MonitoringTelemetry telemetry,
    Inference.Serving.Events.OperationalEvents operational,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    ILogger<MonitoringSampler> logger) : BackgroundService
{
    private HealthStatus? _lastHealth;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        do
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                SampleFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>One sample, also taken on demand (an endpoint asked before the first one); one at a time.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SampleOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A change of this service's health, as an operational event naming the checks that are not healthy.</summary>
    private void HealthChanged(HealthReport report)
    {
        var previous = _lastHealth;
        _lastHealth = report.Status;
        if (previous == report.Status)
        {
            return;
        }

        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Status}{(e.Value.Description is { Length: > 0 } d ? $" ({d})" : "")}").ToList();
        var message = $"Health is {report.Status}{(previous is null ? "" : $" (was {previous})")}{(failing.Count > 0 ? "; " + string.Join("; ", failing) : "")}.";
        var level = report.Status switch
        {
            HealthStatus.Healthy => Inference.Serving.Events.OperationalEventLevels.Info,
            HealthStatus.Degraded => Inference.Serving.Events.OperationalEventLevels.Warning,
            _ => Inference.Serving.Events.OperationalEventLevels.Error,
        };
        operational.Record(level, Inference.Serving.Events.OperationalEventCodes.HealthChanged, message);
    }

    private async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        HealthChanged(report);
        var memory = MemoryUsage.Percent();
        var previous = state.Alerts;
        var calls = window.Since();
        var services = await directory.SampleAsync(report, memory, calls, cancellationToken).ConfigureAwait(false);
        var (score, active) = alerts.Evaluate(calls, services, report, memory, state.CircuitBreakers, time.GetUtcNow(), previous);
        services = services with { Services = [services.Services[0] with { HealthScore = score }, .. services.Services.Skip(1)] };
        state.Update(services, memory, score, active);
        foreach (var model in services.Services[0].Models)
        {
            telemetry.Announce(model.Name, OperationOf(model.Kind), model.Provider);
        }

        var before = previous.Alerts.Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        var now = active.Alerts.Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var alert in active.Alerts.Where(a => !before.Contains(a.Key)))
        {
            AlertFiring(logger, alert.Name, alert.Summary);
            events.Publish(MonitoringEvent.Alert(alert, firing: true));
        }

        foreach (var alert in previous.Alerts.Where(a => !now.Contains(a.Key)))
        {
            AlertResolved(logger, alert.Name, alert.Summary);
            events.Publish(MonitoringEvent.Alert(alert, firing: false));
        }

        events.Publish(MonitoringEvent.Snapshot(services, active));
    }

    /// <summary>The operation a model's calls are counted under, by its kind.</summary>
    private static string OperationOf(string kind) => kind switch
    {
        Inference.Engines.ModelKindNames.Embedding => "embeddings",
        Inference.Engines.ModelKindNames.Classification => "classify",
        _ => "chat",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring could not take a sample.")]
    private static partial void SampleFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Alert} is firing: {Summary}")]
    private static partial void AlertFiring(ILogger logger, string alert, string summary);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Alert} resolved: {Summary}")]
    private static partial void AlertResolved(ILogger logger, string alert, string summary);
}
