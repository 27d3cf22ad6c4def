using Inference.Storage.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Inference.Access;

/// <summary><c>POST /api/keys</c> (the secret once), <c>GET /api/keys</c>, <c>DELETE /api/keys/{id}</c>: admin scope.</summary>
public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api/keys").WithTags("API keys").RequireAdminScope();
        api.MapPost("/", CreateAsync).WithSummary("Creates a key; its secret is in this answer only.");
        api.MapGet("/", ListAsync).WithSummary("Every key, without secrets.");
        api.MapDelete("/{id}", RevokeAsync).WithSummary("Revokes a key.");
        return endpoints;
    }

    private static Task<Results<Created<ApiKeyResponse>, ProblemHttpResult>> CreateAsync(CreateApiKeyRequest body, ApiKeys keys, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync(async () =>
        {
            var (key, secret) = await keys.CreateAsync(body, cancellationToken);
            return TypedResults.Created($"/api/keys/{key.Id}", Describe(key) with { Secret = secret });
        });

    private static Task<Results<Ok<List<ApiKeyResponse>>, ProblemHttpResult>> ListAsync(ApiKeys keys, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync(async () => TypedResults.Ok((await keys.ListAsync(cancellationToken)).Select(Describe).ToList()));

    private static Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string id, ApiKeys keys, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync(async () =>
        {
            await keys.RevokeAsync(id, cancellationToken);
            return TypedResults.NoContent();
        });

    private static ApiKeyResponse Describe(ApiKey key) => new(
        key.Id, key.Name, key.Prefix, key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), key.Models?.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        key.Tenant, key.Created, key.Expires, key.Revoked,
        new ApiKeyLimits(key.RequestsPerMinute, key.TokensPerMinute, key.MaxConcurrentRequests, key.MaxPromptTokens),
        key.Budget is { } budget ? new ApiKeyBudget(budget, key.BudgetPeriod) : null,
        key.OverflowModel);
}
