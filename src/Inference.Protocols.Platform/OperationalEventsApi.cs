using Inference.Serving.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Inference.Protocols.Platform;

/// <summary><c>GET /api/operational-events</c>: the service's operational events, newest first, filtered and paged.</summary>
public static class OperationalEventsApi
{
    public static RouteHandlerBuilder MapOperationalEventsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet("/api/operational-events", QueryAsync).WithTags("Monitoring")
            .WithSummary("Operational events (startup, model loads, readiness, health, cache and database outages...), newest first; filters: level, code, model, since; paged by offset and limit.")
            .RequireMetricsScope();
    }

    private static async Task<Results<Ok<OperationalEventPage>, ProblemHttpResult>> QueryAsync(
        string? level, string? code, string? model, DateTimeOffset? since, int? offset, int? limit, IOperationalEventStore store, CancellationToken cancellationToken)
    {
        if (level is not null && !OperationalEventLevels.IsKnown(level))
        {
            return Invalid($"level must be {OperationalEventLevels.Info}, {OperationalEventLevels.Warning} or {OperationalEventLevels.Error}, not '{level}'.");
        }

        if (offset is < 0)
        {
            return Invalid("offset must not be negative.");
        }

        if (limit is < 1 or > OperationalEventQuery.MaxLimit)
        {
            return Invalid($"limit must be from 1 to {OperationalEventQuery.MaxLimit}.");
        }

        var query = new OperationalEventQuery(level, Empty(code), Empty(model), since?.ToUniversalTime(), offset ?? 0, limit ?? OperationalEventQuery.DefaultLimit);
        return TypedResults.Ok(await store.QueryAsync(query, cancellationToken));
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid query");
}
