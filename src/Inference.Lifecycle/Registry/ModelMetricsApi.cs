using System.Globalization;
using System.Text.Json.Serialization;
using Inference.Storage.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Inference.Lifecycle.Registry;

/// <summary>
/// <c>GET /api/models/{id}/metrics</c>: per version and period (<c>hour</c>, <c>day</c> or <c>total</c>),
/// the requests, tokens in and out, response times, error rate, fallback rate (requests this model was chosen for that a
/// fallback answered) and estimated cost, from the audit log, so every replica's calls count.
/// </summary>
public static class ModelMetricsApi
{
    public static IEndpointRouteBuilder MapModelMetricsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/api/models/{id}/metrics", GetAsync).WithTags("Registry").WithSummary("A model's usage and performance per version and period.").RequireMetricsScope();
        return endpoints;
    }

    private static async Task<Results<Ok<ModelMetricsResponse>, ProblemHttpResult>> GetAsync(
        string id, string? period, DateTimeOffset? since, DateTimeOffset? until,
        IDbContextFactory<MetadataDbContext> contexts, ModelPrices prices, Inference.Serving.Routing.ModelRouter router, TimeProvider time, CancellationToken cancellationToken)
    {
        period ??= "hour";
        if (period is not ("hour" or "day" or "total"))
        {
            return TypedResults.Problem($"period must be hour, day or total, not '{period}'.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid period");
        }

        var to = (until ?? time.GetUtcNow()).ToUniversalTime();
        var from = (since ?? to - (period == "hour" ? TimeSpan.FromDays(1) : TimeSpan.FromDays(30))).ToUniversalTime();
        if (from > to)
        {
            return TypedResults.Problem("since must be before until.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid range");
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (!await db.Models.AnyAsync(m => m.Id == id, cancellationToken))
            {
                return TypedResults.Problem($"No model '{id}' is registered.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");
            }

            var rows = await AuditMetrics.ReadAsync(AuditMetrics.OfModel(db.AuditRecords.AsNoTracking(), id), from, to, cancellationToken);
            var periods = rows
                .GroupBy(r => (Version: r.Model == id ? r.Version : AuditMetrics.VersionStoodInFor(r, id, router.Table), Start: Bucket(r.Timestamp, period, from)))
                .OrderBy(g => g.Key.Start).ThenBy(g => g.Key.Version, StringComparer.Ordinal)
                .Select(g => Summarize(g.Key.Version, g.Key.Start, period, [.. g], id, prices))
                .ToList();
            return TypedResults.Ok(new ModelMetricsResponse(id, period, from, to, periods, rows.Count == AuditMetrics.MaxRows));
        }
        catch (Exception ex) when (ControlPlaneProblems.IsUnavailable(ex))
        {
            return ControlPlaneProblems.Unavailable();
        }
    }

    private static DateTimeOffset Bucket(DateTimeOffset at, string period, DateTimeOffset from)
    {
        var utc = at.ToUniversalTime();
        return period switch
        {
            "hour" => new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero),
            "day" => new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero),
            _ => from,
        };
    }

    private static PeriodMetrics Summarize(string? version, DateTimeOffset start, string period, List<AuditMetrics.Row> rows, string id, ModelPrices prices) => new(
        version,
        period == "total" ? "total" : start.ToString(period == "hour" ? "yyyy-MM-dd'T'HH':00Z'" : "yyyy-MM-dd", CultureInfo.InvariantCulture),
        start,
        AuditMetrics.Summarize(id, rows, prices));
}

/// <summary>Performance metrics, one entry per version and period.</summary>
public sealed record ModelMetricsResponse(
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("until")] DateTimeOffset Until,
    [property: JsonPropertyName("periods")] IReadOnlyList<PeriodMetrics> Periods,
    [property: JsonPropertyName("truncated")] bool Truncated);

public sealed record PeriodMetrics(
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("metrics")] MetricValues Metrics);

/// <param name="FallbackRate">Of the requests this model was chosen for, the share a fallback answered.</param>
public sealed record MetricValues(
    [property: JsonPropertyName("requests_count")] int RequestsCount,
    [property: JsonPropertyName("tokens_input")] long TokensInput,
    [property: JsonPropertyName("tokens_output")] long TokensOutput,
    [property: JsonPropertyName("avg_response_time_ms")] double? AvgResponseTimeMs,
    [property: JsonPropertyName("p95_response_time_ms")] double? P95ResponseTimeMs,
    [property: JsonPropertyName("error_rate")] double ErrorRate,
    [property: JsonPropertyName("fallback_rate")] double FallbackRate,
    [property: JsonPropertyName("estimated_cost")] decimal EstimatedCost);
