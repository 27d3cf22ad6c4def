using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Inference.Monitoring.Alerts;
using Inference.Monitoring.Services;
using Inference.Serving.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Inference.Monitoring;

/// <summary>The routes of <see cref="Microsoft.AspNetCore.Builder.MonitoringEndpointsExtensions.MapInferenceMonitoring"/>.</summary>
internal static class MonitoringApi
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics").RequireMetricsScope();
        endpoints.MapGet("/alerts/active", ActiveAlertsAsync).WithTags("Monitoring").RequireMetricsScope().Produces<ActiveAlerts>();
        endpoints.MapGet("/performance/report", Report).WithTags("Monitoring").RequireMetricsScope().Produces<PerformanceReport>();
        var services = endpoints.MapGroup("/api/services").WithTags("Monitoring").RequireMetricsScope();
        services.MapGet("", ServicesAsync).Produces<ServicesSnapshot>();
        services.MapGet("/{name}", ServiceAsync).Produces<ServiceStatus>();
        endpoints.MapGet("/api/events", Events).WithTags("Monitoring").RequireMetricsScope()
            .WithSummary("Server-sent events: snapshot, request, alert and operational events.");
        // The page holds no data (its script asks for it with the key given in its address fragment).
        endpoints.MapGet("/dashboard", Dashboard.Page).ExcludeFromDescription().AllowAnonymous();
    }

    private static async Task<JsonHttpResult<ActiveAlerts>> ActiveAlertsAsync(MonitoringState state, MonitoringSampler sampler, CancellationToken cancellationToken)
    {
        if (state.Alerts.EvaluatedAt is null)
        {
            await sampler.SampleAsync(cancellationToken);
        }

        return TypedResults.Json(state.Alerts, MonitoringJsonContext.Default.ActiveAlerts);
    }

    private static Results<JsonHttpResult<PerformanceReport>, ProblemHttpResult> Report(
        string? window, CallWindow calls, ServiceDirectory directory, IOptions<MonitoringOptions> options, TimeProvider time, IServiceProvider services)
    {
        var span = options.Value.Window;
        if (window is not null && (!TryParseWindow(window, out span) || span <= TimeSpan.Zero || span > options.Value.Window))
        {
            return TypedResults.Problem(
                $"window '{window}' must be a duration such as 300 (seconds), 90s, 5m or 1h, of at most the monitoring window ({options.Value.Window.TotalMinutes:0.#} min, Inference:Monitoring:Window).",
                statusCode: StatusCodes.Status400BadRequest, title: "Bad window");
        }

        var report = PerformanceReport.Build(calls.Since(span), span, directory.SelfName, services.GetService(typeof(IModelVersions)) as IModelVersions, time.GetUtcNow());
        return TypedResults.Json(report, MonitoringJsonContext.Default.PerformanceReport);
    }

    private static async Task<JsonHttpResult<ServicesSnapshot>> ServicesAsync(MonitoringState state, MonitoringSampler sampler, CancellationToken cancellationToken) =>
        TypedResults.Json(await SnapshotAsync(state, sampler, cancellationToken), MonitoringJsonContext.Default.ServicesSnapshot);

    /// <summary>A service by its name, or (as a monitor of one-model workers asks) a model by its name with its service's uptime.</summary>
    private static async Task<Results<JsonHttpResult<ServiceStatus>, JsonHttpResult<ServedModelStatus>, ProblemHttpResult>> ServiceAsync(
        string name, MonitoringState state, MonitoringSampler sampler, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(state, sampler, cancellationToken);
        if (snapshot.Services.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)) is { } service)
        {
            return TypedResults.Json(service, MonitoringJsonContext.Default.ServiceStatus);
        }

        // The service that runs the model answers for it: a Worker listed after this service first, else this service's own entry.
        var served = snapshot.Services.Reverse().SelectMany(s => s.Models.Select(m => (Service: s, Model: m))).FirstOrDefault(p => p.Model.Name == name);
        return served.Model is { } model
            ? TypedResults.Json(ServedModelStatus.Of(model, served.Service), MonitoringJsonContext.Default.ServedModelStatus)
            : TypedResults.Problem(
                $"No service or model is named '{name}'; the services are {string.Join(", ", snapshot.Services.Select(s => s.Name))}.",
                statusCode: StatusCodes.Status404NotFound, title: "Unknown service");
    }

    private static ServerSentEventsResult<string> Events(MonitoringEvents events, MonitoringState state, HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var first = state.Snapshot is { } snapshot ? MonitoringEvent.Snapshot(snapshot, state.Alerts) : null;
        return TypedResults.ServerSentEvents(Items(events.SubscribeAsync(first, context.RequestAborted), context.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> Items(IAsyncEnumerable<MonitoringEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            yield return new SseItem<string>(e.Data, e.Type);
        }
    }

    private static async Task<ServicesSnapshot> SnapshotAsync(MonitoringState state, MonitoringSampler sampler, CancellationToken cancellationToken)
    {
        if (state.Snapshot is null)
        {
            await sampler.SampleAsync(cancellationToken);
        }

        return state.Snapshot!;
    }

    /// <summary>300 (seconds), 90s, 5m, 1h or a TimeSpan (00:05:00).</summary>
    private static bool TryParseWindow(string text, out TimeSpan window)
    {
        text = text.Trim();
        var unit = text.Length > 0 ? char.ToLowerInvariant(text[^1]) : ' ';
        var number = unit is 's' or 'm' or 'h' ? text[..^1] : text;
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            window = unit switch
            {
                'm' => TimeSpan.FromMinutes(value),
                'h' => TimeSpan.FromHours(value),
                _ => TimeSpan.FromSeconds(value),
            };
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out window);
    }
}
