using Inference.Monitoring;
using Inference.Monitoring.Alerts;
using Inference.Monitoring.Services;
using Inference.Serving.Auditing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.Hosting;

public static class MonitoringExtensions
{
    /// <summary>
    /// Metrics under the platform's names exported for Prometheus, the in-service alerts, the performance report, the
    /// status of this service and the services it routes to, and the live event stream (<c>Inference:Monitoring</c>,
    /// <c>Inference:Alerts</c>). Map the routes with <c>MapInferenceMonitoring</c>.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceMonitoring(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MonitoringOptions>()
            .BindConfiguration(MonitoringOptions.SectionName)
            .Validate(o => o.SampleInterval > TimeSpan.Zero, "Inference:Monitoring:SampleInterval must be positive.")
            .Validate(o => o.Window > TimeSpan.Zero, "Inference:Monitoring:Window must be positive.")
            .Validate(o => o.MaxCalls > 0, "Inference:Monitoring:MaxCalls must be positive.")
            .Validate(o => o.ServiceTimeout > TimeSpan.Zero, "Inference:Monitoring:ServiceTimeout must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<AlertOptions>()
            .BindConfiguration(AlertOptions.SectionName)
            .Validate(o => o.ErrorRate is >= 0 and <= 1, "Inference:Alerts:ErrorRate must be between 0 and 1.")
            .Validate(o => o.ErrorRateWindow > TimeSpan.Zero && o.LatencyWindow > TimeSpan.Zero, "Inference:Alerts windows must be positive.")
            .Validate(o => o.MemoryPercent is > 0 and <= 100, "Inference:Alerts:MemoryPercent must be between 0 and 100.")
            .Validate(o => o.HealthScore is >= 0 and <= 100, "Inference:Alerts:HealthScore must be between 0 and 100.")
            .Validate(o => o.MinimumCalls >= 1 && o.ModelDownAfter >= 1, "Inference:Alerts:MinimumCalls and ModelDownAfter must be at least 1.")
            .ValidateOnStart();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CircuitBreakers>();
        builder.Services.AddSingleton<MonitoringState>();
        builder.Services.AddSingleton<MonitoringTelemetry>();
        builder.Services.AddSingleton<CallWindow>();
        builder.Services.AddSingleton<MonitoringEvents>();
        builder.Services.AddSingleton<AlertEvaluator>();
        builder.Services.AddSingleton<ServiceDirectory>();
        builder.Services.AddSingleton<RemoteOperationalEvents>();
        builder.Services.AddSingleton<MonitoringSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MonitoringSampler>());
        builder.Services.AddSingleton<IInferenceAuditLog, InferenceCallMetrics>();
        builder.Services.AddSingleton<Inference.Serving.Events.IOperationalEventSink, OperationalEventStream>();
        builder.Services.AddHttpClient(ServiceDirectory.HttpClientName);

        // The gauges exist once something asks for them: create the instruments with the service.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MonitoringTelemetry.MeterName)
            .AddPrometheusExporter());
        builder.Services.AddHostedService<MonitoringTelemetryActivator>();
        return builder;
    }
}
