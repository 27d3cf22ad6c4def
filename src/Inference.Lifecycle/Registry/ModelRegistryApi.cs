using Inference.Storage.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Inference.Lifecycle.Registry;

/// <summary><c>GET /api/models</c>, <c>/api/models/{id}</c> and <c>/api/models/{id}/versions</c>, read from the registry.</summary>
public static class ModelRegistryApi
{
    public static RouteGroupBuilder MapModelRegistryApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api/models").WithTags("Registry");
        api.MapGet("/", ListAsync);
        api.MapGet("/{id}", GetAsync);
        api.MapGet("/{id}/versions", VersionsAsync);
        return api;
    }

    private static async Task<Results<Ok<List<RegisteredModelResponse>>, ProblemHttpResult>> ListAsync(
        IDbContextFactory<MetadataDbContext> contexts, CancellationToken cancellationToken) =>
        await ReadAsync<List<RegisteredModelResponse>>(contexts, async db =>
        {
            var models = await db.Models.AsNoTracking().Include(m => m.Versions).ToListAsync(cancellationToken);
            return TypedResults.Ok(models.OrderBy(m => m.Id, StringComparer.Ordinal).Select(RegisteredModelResponse.From).ToList());
        });

    private static async Task<Results<Ok<RegisteredModelResponse>, ProblemHttpResult>> GetAsync(
        string id, IDbContextFactory<MetadataDbContext> contexts, CancellationToken cancellationToken) =>
        await ReadAsync<RegisteredModelResponse>(contexts, async db =>
            await db.Models.AsNoTracking().Include(m => m.Versions).SingleOrDefaultAsync(m => m.Id == id, cancellationToken) is { } model
                ? TypedResults.Ok(RegisteredModelResponse.From(model))
                : NotFound(id));

    private static async Task<Results<Ok<List<ModelVersionResponse>>, ProblemHttpResult>> VersionsAsync(
        string id, IDbContextFactory<MetadataDbContext> contexts, CancellationToken cancellationToken) =>
        await ReadAsync<List<ModelVersionResponse>>(contexts, async db =>
        {
            if (!await db.Models.AnyAsync(m => m.Id == id, cancellationToken))
            {
                return NotFound(id);
            }

            var versions = await db.ModelVersions.AsNoTracking().Where(v => v.ModelId == id).ToListAsync(cancellationToken);
            return TypedResults.Ok(versions.OrderBy(v => v.Id).Select(ModelVersionResponse.From).ToList());
        });

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem($"No model '{id}' is registered.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");

    /// <summary>Runs a read; a database that cannot be reached is a 503 the caller can retry, not a 500.</summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult>> ReadAsync<T>(
        IDbContextFactory<MetadataDbContext> contexts, Func<MetadataDbContext, Task<Results<Ok<T>, ProblemHttpResult>>> read)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            return await read(db);
        }
        catch (Exception ex) when (ControlPlaneProblems.IsUnavailable(ex))
        {
            return ControlPlaneProblems.Unavailable();
        }
    }
}
