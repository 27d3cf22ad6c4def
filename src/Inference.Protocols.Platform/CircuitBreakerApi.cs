using System.Text.Json.Serialization;
using Inference.Serving.Catalog;
using Inference.Serving.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Inference.Protocols.Platform;

/// <summary>
/// <c>GET /circuit-breaker/status</c> (every provider endpoint's breaker: state, the models behind it,
/// when it opened and may probe again, the last failure, recent transitions) and <c>POST /circuit-breaker/reset</c>
/// (closes all, or one named by <c>endpoint</c> or <c>model</c>).
/// </summary>
public static class CircuitBreakerApi
{
    public static RouteGroupBuilder MapCircuitBreakerApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/circuit-breaker").WithTags("Circuit breakers");
        api.MapGet("/status", Status).RequireMetricsScope().WithSummary("Every provider endpoint's circuit breaker.");
        api.MapPost("/reset", ResetAsync).WithSummary("Closes every breaker, or the one of an endpoint or model.").RequireAdminScope();
        return api;
    }

    private static Ok<CircuitBreakerStatus> Status(ProviderCircuitBreakers breakers) => TypedResults.Ok(Snapshot(breakers));

    private static async Task<Results<Ok<CircuitBreakerStatus>, ProblemHttpResult>> ResetAsync(
        string? endpoint, string? model, ProviderCircuitBreakers breakers, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        if (model is not null)
        {
            if (catalog.Find(model) is not { } served)
            {
                return TypedResults.Problem($"The model '{model}' does not exist.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");
            }

            endpoint = ProviderCircuitBreakers.EndpointOf(served);
        }

        if (!await breakers.ResetAsync(endpoint, cancellationToken))
        {
            return TypedResults.Problem($"No circuit breaker guards '{endpoint}' (none has been called yet).", statusCode: StatusCodes.Status404NotFound, title: "Breaker not found");
        }

        return TypedResults.Ok(Snapshot(breakers));
    }

    private static CircuitBreakerStatus Snapshot(ProviderCircuitBreakers breakers)
    {
        var all = breakers.All.Select(b => new BreakerStatus(
            b.Endpoint,
            Name(b.State),
            b.Models,
            b.OpenedAt,
            b.OpenedAt?.Add(b.BreakDuration),
            b.LastFailure,
            [.. b.History.Select(h => new BreakerTransition(Name(h.State), h.At, h.Reason))])).ToList();
        return new CircuitBreakerStatus(all.Count(b => b.State != "closed"), all);
    }

    private static string Name(CircuitState state) => state switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "closed",
    };
}

public sealed record CircuitBreakerStatus([property: JsonPropertyName("not_closed")] int NotClosed, [property: JsonPropertyName("breakers")] IReadOnlyList<BreakerStatus> Breakers);

public sealed record BreakerStatus(
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("models")] IReadOnlyCollection<string> Models,
    [property: JsonPropertyName("opened_at")] DateTimeOffset? OpenedAt,
    [property: JsonPropertyName("probe_after")] DateTimeOffset? ProbeAfter,
    [property: JsonPropertyName("last_failure")] string? LastFailure,
    [property: JsonPropertyName("history")] IReadOnlyList<BreakerTransition> History);

public sealed record BreakerTransition(
    [property: JsonPropertyName("state")] string State, [property: JsonPropertyName("at")] DateTimeOffset At, [property: JsonPropertyName("reason")] string? Reason);
