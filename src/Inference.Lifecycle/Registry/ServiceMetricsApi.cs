using System.Text.Json.Serialization;
using Inference.Storage.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Inference.Serving.Routing;
using Microsoft.EntityFrameworkCore;

namespace Inference.Lifecycle.Registry;

/// <summary>
/// The service's metrics: <c>GET /api/metrics</c> (every call of the period together, and each model and version
/// as a performance metrics object) and <c>GET /api/metrics/models/{model_id}</c> (one model, all its versions
/// together and each on its own), over the period named (<c>hourly</c>, <c>daily</c>, <c>weekly</c>, <c>monthly</c>
/// or <c>total</c>: the last hour, day, 7 days, 30 days, or everything) or between <c>since</c> and <c>until</c>. Read
/// from the audit log, so every replica's calls count.
/// </summary>
public static class ServiceMetricsApi
{
    public static IEndpointRouteBuilder MapServiceMetricsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api/metrics").WithTags("Metrics").RequireMetricsScope();
        api.MapGet("/", ServiceAsync).WithSummary("The service's calls over a period, in all and per model and version.");
        api.MapGet("/models/{model_id}", ModelAsync).WithSummary("One model's calls over a period, in all and per version.");
        return endpoints;
    }

    private static Task<Results<Ok<ServiceMetricsResponse>, ProblemHttpResult>> ServiceAsync(
        string? period, DateTimeOffset? since, DateTimeOffset? until,
        IDbContextFactory<MetadataDbContext> contexts, ModelPrices prices, ModelRouter router, TimeProvider time, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<ServiceMetricsResponse>>(async () =>
        {
            var window = Window.Of(period, since, until, time);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var rows = await AuditMetrics.ReadAsync(db.AuditRecords.AsNoTracking(), window.Since, window.Until, cancellationToken);
            var models = rows
                .GroupBy(r => (r.Model, r.Version))
                .OrderBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Version, StringComparer.Ordinal)
                .Select(g => new PerformanceMetrics(g.Key.Model, g.Key.Version, window.Name, AuditMetrics.Summarize(g.Key.Model, OfVersion(g.Key.Model, g.Key.Version, rows, router.Table), prices)))
                .ToList();
            return TypedResults.Ok(new ServiceMetricsResponse(window.Name, window.Since, window.Until, AuditMetrics.Total(rows, prices), models, rows.Count == AuditMetrics.MaxRows));
        });

    private static Task<Results<Ok<ModelPerformanceResponse>, ProblemHttpResult>> ModelAsync(
        string model_id, string? version, string? period, DateTimeOffset? since, DateTimeOffset? until,
        IDbContextFactory<MetadataDbContext> contexts, ModelPrices prices, ModelRouter router, TimeProvider time, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<ModelPerformanceResponse>>(async () =>
        {
            var window = Window.Of(period, since, until, time);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (!await db.Models.AnyAsync(m => m.Id == model_id, cancellationToken))
            {
                throw Lifecycle.ControlPlaneException.NotFound($"No model '{model_id}' is registered.");
            }

            var rows = await AuditMetrics.ReadAsync(AuditMetrics.OfModel(db.AuditRecords.AsNoTracking(), model_id), window.Since, window.Until, cancellationToken);
            if (version is not null)
            {
                // One version: its own calls, and the fallbacks' answers for requests routed to it.
                rows = OfVersion(model_id, version, rows, router.Table);
            }

            var versions = rows.Where(r => r.Model == model_id).Select(r => r.Version).Distinct().Order(StringComparer.Ordinal)
                .Select(v => new PerformanceMetrics(model_id, v, window.Name, AuditMetrics.Summarize(model_id, OfVersion(model_id, v, rows, router.Table), prices)))
                .ToList();
            return TypedResults.Ok(new ModelPerformanceResponse(
                model_id, version, window.Name, window.Since, window.Until, AuditMetrics.Summarize(model_id, rows, prices), versions, rows.Count == AuditMetrics.MaxRows));
        });

    /// <summary>
    /// One version's rows: its own calls, and the fallbacks' answers for requests routed to that version (the routing
    /// table says which version a routed id is: the configured one is served under the bare name).
    /// </summary>
    private static List<AuditMetrics.Row> OfVersion(string model, string? version, List<AuditMetrics.Row> rows, RoutingTable table) =>
        [.. rows.Where(r => r.Model == model ? r.Version == version : AuditMetrics.StoodInFor(r, model) && AuditMetrics.VersionStoodInFor(r, model, table) == version)];

    /// <summary>The period a request asks about: its name as answers give it, and its bounds.</summary>
    private sealed record Window(string Name, DateTimeOffset Since, DateTimeOffset Until)
    {
        public static Window Of(string? period, DateTimeOffset? since, DateTimeOffset? until, TimeProvider time)
        {
            var (name, length) = (period ?? "daily") switch
            {
                "hourly" or "hour" => ("hourly", TimeSpan.FromHours(1)),
                "daily" or "day" => ("daily", TimeSpan.FromDays(1)),
                "weekly" or "week" => ("weekly", TimeSpan.FromDays(7)),
                "monthly" or "month" => ("monthly", TimeSpan.FromDays(30)),
                "total" or "all" => ("total", (TimeSpan?)null),
                _ => throw Lifecycle.ControlPlaneException.BadRequest($"period must be hourly, daily, weekly, monthly or total, not '{period}'."),
            };
            var to = (until ?? time.GetUtcNow()).ToUniversalTime();
            var from = (since ?? (length is { } span ? to - span : DateTimeOffset.UnixEpoch)).ToUniversalTime();
            return from > to ? throw Lifecycle.ControlPlaneException.BadRequest("since must be before until.") : new Window(since is null && until is null ? name : "custom", from, to);
        }
    }
}

/// <summary>A performance metrics object: one model (and version) over one period.</summary>
/// <param name="Version">The version, or null for calls to a model the registry knows no version of.</param>
public sealed record PerformanceMetrics(
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("metrics")] MetricValues Metrics);

/// <summary><c>GET /api/metrics</c>: every call of the period together, and each model and version.</summary>
public sealed record ServiceMetricsResponse(
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("until")] DateTimeOffset Until,
    [property: JsonPropertyName("metrics")] MetricValues Metrics,
    [property: JsonPropertyName("models")] IReadOnlyList<PerformanceMetrics> Models,
    [property: JsonPropertyName("truncated")] bool Truncated);

/// <summary>
/// <c>GET /api/metrics/models/{model_id}</c>: the performance metrics object of the model (every version
/// together, or the one version asked for), with each version's beside it.
/// </summary>
public sealed record ModelPerformanceResponse(
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("until")] DateTimeOffset Until,
    [property: JsonPropertyName("metrics")] MetricValues Metrics,
    [property: JsonPropertyName("versions")] IReadOnlyList<PerformanceMetrics> Versions,
    [property: JsonPropertyName("truncated")] bool Truncated);
