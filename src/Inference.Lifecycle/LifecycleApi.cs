using Inference.Http;
using Inference.Storage.Data;
using Inference.Lifecycle.Experiments;
using Inference.Serving.Routing;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Inference.Lifecycle;

/// <summary>
/// Model management, deployments and A/B tests: <c>POST /models/register</c>, <c>GET /models</c>, <c>GET /models/{name}</c>,
/// <c>POST /models/{id}/activate</c>, <c>/deprecate</c>, <c>/deploy</c>, <c>GET /models/{id}/deployments</c>,
/// <c>GET /deployments/{id}</c>, <c>POST /deployments/{id}/promote</c>, <c>/rollback</c>; <c>POST /ab-tests/start</c>,
/// <c>GET /ab-tests</c>, <c>GET /ab-tests/{id}</c>, <c>POST /ab-tests/{id}/stop</c>; <c>POST /api/feedback</c>.
/// </summary>
public static class LifecycleApi
{
    public static IEndpointRouteBuilder MapLifecycleApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var models = endpoints.MapGroup("/models").WithTags("Registry");
        models.MapPost("/register", RegisterAsync).WithSummary("Registers a model version (a local model is loaded first).").RequireAdminScope();
        models.MapGet("/", ListAsync).WithSummary("Every model of the registry with its versions, active version and lineage.");
        models.MapGet("/{name}", VersionsAsync).WithSummary("A model's versions, its active version and lineage.");
        models.MapPost("/{id}/activate", ActivateAsync).WithSummary("Makes a version the one requests get.").RequireAdminScope();
        models.MapPost("/{id}/deprecate", DeprecateAsync).WithSummary("Marks a version deprecated (or not).").RequireAdminScope();
        models.MapPost("/{id}/deploy", DeployAsync).WithSummary("Deploys a version: immediate, blue-green or canary.").RequireAdminScope();
        models.MapGet("/{id}/deployments", DeploymentsAsync).WithSummary("A model's deployments, newest first.");

        var deployments = endpoints.MapGroup("/deployments").WithTags("Deployments");
        deployments.MapGet("/{id}", DeploymentAsync).WithSummary("A deployment's state, history and (for a canary) each side's health.");
        deployments.MapPost("/{id}/promote", PromoteAsync).WithSummary("Steps a canary up (to percent, or by its step).").RequireAdminScope();
        deployments.MapPost("/{id}/rollback", RollbackAsync).WithSummary("Returns the traffic to the previous version.").RequireAdminScope();

        var tests = endpoints.MapGroup("/ab-tests").WithTags("A/B tests");
        tests.MapPost("/start", StartTestAsync).WithSummary("Starts an A/B test.").RequireAdminScope();
        tests.MapGet("/", ListTestsAsync).WithSummary("The running A/B tests (all with ?all=true), with results.");
        tests.MapGet("/{id}", TestAsync).WithSummary("An A/B test's arms and significance.");
        tests.MapPost("/{id}/stop", StopTestAsync).WithSummary("Stops an A/B test.").RequireAdminScope();

        endpoints.MapPost("/api/feedback", FeedbackAsync).WithTags("A/B tests").WithSummary("Scores the answer of one request.");
        return endpoints;
    }

    private static Task<Results<Created<VersionInfo>, ProblemHttpResult>> RegisterAsync(
        RegisterModelRequest? request, HttpContext http, ModelLifecycle lifecycle, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Created<VersionInfo>>(async () =>
        {
            var version = await lifecycle.RegisterAsync(request ?? throw ControlPlaneException.BadRequest("A JSON body is required."), HttpCaller.Identity(http), cancellationToken);
            return TypedResults.Created($"/models/{version.ModelId}", VersionInfo.From(version, served: true, null));
        });

    // A caller sees the models its key may use, as in every model list.
    private static Task<Results<Ok<ModelListResponse>, ProblemHttpResult>> ListAsync(
        HttpContext http, IDbContextFactory<MetadataDbContext> contexts, ModelLifecycle lifecycle, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<ModelListResponse>>(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var models = await db.Models.AsNoTracking().Include(m => m.Versions).ToListAsync(cancellationToken);
            var lineage = (await db.Lineage.AsNoTracking().ToListAsync(cancellationToken)).ToLookup(l => l.ModelId, StringComparer.Ordinal);
            return TypedResults.Ok(new ModelListResponse([.. models
                .Where(m => HttpCaller.MayUse(http, m.Id))
                .OrderBy(m => m.Id, StringComparer.Ordinal)
                .Select(m => Describe(m, lineage[m.Id], lifecycle))]));
        });

    private static Task<Results<Ok<ModelVersionsResponse>, ProblemHttpResult>> VersionsAsync(
        string name, IDbContextFactory<MetadataDbContext> contexts, ModelLifecycle lifecycle, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<ModelVersionsResponse>>(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var model = await db.Models.AsNoTracking().Include(m => m.Versions).SingleOrDefaultAsync(m => m.Id == name, cancellationToken)
                ?? throw ControlPlaneException.NotFound($"No model '{name}' is registered.");
            var lineage = await db.Lineage.AsNoTracking().Where(l => l.ModelId == name).ToListAsync(cancellationToken);
            return TypedResults.Ok(Describe(model, lineage, lifecycle));
        });

    /// <summary>A model as the registry holds it: its versions (whether each is served here) and the lineage of its activations.</summary>
    private static ModelVersionsResponse Describe(RegisteredModel model, IEnumerable<LineageRecord> lineage, ModelLifecycle lifecycle) => new(
        model.Id,
        model.Kind,
        model.Versions.FirstOrDefault(v => v.IsDefault)?.Version,
        System.Text.Json.JsonSerializer.Deserialize(model.Fallbacks, LifecycleJsonContext.Default.ListString) ?? [],
        [.. model.Versions.OrderBy(v => v.Id).Select(v => VersionInfo.From(v, lifecycle.IsServable(model.Id, v), lifecycle.LoadError(RoutingTableBuilder.TargetId(model.Id, v))))],
        [.. lineage.OrderBy(l => l.Id).Select(l => new LineageEntry(l.Version, l.Replaced, l.At, l.By))]);

    private static Task<Results<Ok<VersionInfo>, ProblemHttpResult>> ActivateAsync(
        string id, VersionRequest? request, HttpContext http, ModelLifecycle lifecycle, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<VersionInfo>>(async () =>
        {
            var (name, version) = Target(id, request?.Version);
            var activated = await lifecycle.ActivateAsync(name, version, HttpCaller.Identity(http), cancellationToken);
            return TypedResults.Ok(VersionInfo.From(activated, served: true, null));
        });

    private static Task<Results<Ok<VersionInfo>, ProblemHttpResult>> DeprecateAsync(
        string id, VersionRequest? request, ModelLifecycle lifecycle, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<VersionInfo>>(async () =>
        {
            var (name, version) = Target(id, request?.Version);
            var changed = await lifecycle.DeprecateAsync(name, version, request?.Deprecated ?? true, cancellationToken);
            return TypedResults.Ok(VersionInfo.From(changed, lifecycle.IsServable(name, changed), null));
        });

    private static Task<Results<Created<DeploymentResponse>, ProblemHttpResult>> DeployAsync(
        string id, DeployRequest? request, HttpContext http, DeploymentManager deployments, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Created<DeploymentResponse>>(async () =>
        {
            request ??= new DeployRequest();
            var (name, version) = Target(id, request.Version);
            var deployment = await deployments.DeployAsync(name, request with { Version = version }, HttpCaller.Identity(http), cancellationToken);
            return TypedResults.Created($"/deployments/{deployment.Id}", DeploymentResponse.From(deployment));
        });

    private static Task<Results<Ok<List<DeploymentResponse>>, ProblemHttpResult>> DeploymentsAsync(
        string id, IDbContextFactory<MetadataDbContext> contexts, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<List<DeploymentResponse>>>(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var rows = await db.Deployments.AsNoTracking().Where(d => d.ModelId == id).ToListAsync(cancellationToken);
            return TypedResults.Ok(rows.OrderByDescending(d => d.Created).Select(d => DeploymentResponse.From(d)).ToList());
        });

    private static Task<Results<Ok<DeploymentResponse>, ProblemHttpResult>> DeploymentAsync(
        string id, DeploymentManager deployments, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<DeploymentResponse>>(async () =>
        {
            var deployment = await deployments.FindAsync(id, cancellationToken);
            var arms = deployment.Strategy == DeploymentStrategies.Canary ? await deployments.HealthAsync(deployment, cancellationToken) : null;
            return TypedResults.Ok(DeploymentResponse.From(deployment, arms));
        });

    private static Task<Results<Ok<DeploymentResponse>, ProblemHttpResult>> PromoteAsync(
        string id, PromoteRequest? request, HttpContext http, DeploymentManager deployments, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<DeploymentResponse>>(async () =>
            TypedResults.Ok(DeploymentResponse.From(await deployments.PromoteAsync(id, request?.Percent, HttpCaller.Identity(http), cancellationToken))));

    private static Task<Results<Ok<DeploymentResponse>, ProblemHttpResult>> RollbackAsync(
        string id, HttpContext http, DeploymentManager deployments, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<DeploymentResponse>>(async () =>
            TypedResults.Ok(DeploymentResponse.From(await deployments.RollbackAsync(id, "rolled back by request", HttpCaller.Identity(http), cancellationToken))));

    private static Task<Results<Created<AbTestResponse>, ProblemHttpResult>> StartTestAsync(
        StartAbTestRequest? request, HttpContext http, AbTestManager tests, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Created<AbTestResponse>>(async () =>
        {
            var test = await tests.StartAsync(request ?? throw ControlPlaneException.BadRequest("A JSON body is required."), HttpCaller.Identity(http), cancellationToken);
            return TypedResults.Created($"/ab-tests/{test.Id}", await tests.ResultAsync(test.Id, cancellationToken));
        });

    private static Task<Results<Ok<List<AbTestResponse>>, ProblemHttpResult>> ListTestsAsync(
        bool? all, IDbContextFactory<MetadataDbContext> contexts, AbTestManager tests, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<List<AbTestResponse>>>(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var results = new List<AbTestResponse>();
            foreach (var test in await tests.ListAsync(all == true, cancellationToken))
            {
                results.Add(await tests.ResultAsync(db, test, cancellationToken));
            }

            return TypedResults.Ok(results);
        });

    private static Task<Results<Ok<AbTestResponse>, ProblemHttpResult>> TestAsync(string id, AbTestManager tests, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<AbTestResponse>>(async () => TypedResults.Ok(await tests.ResultAsync(id, cancellationToken)));

    private static Task<Results<Ok<AbTestResponse>, ProblemHttpResult>> StopTestAsync(string id, AbTestManager tests, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Ok<AbTestResponse>>(async () =>
        {
            await tests.StopAsync(id, cancellationToken);
            return TypedResults.Ok(await tests.ResultAsync(id, cancellationToken));
        });

    private static Task<Results<Created<FeedbackResponse>, ProblemHttpResult>> FeedbackAsync(
        FeedbackRequest? request, HttpContext http, AbTestManager tests, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync<Created<FeedbackResponse>>(async () =>
        {
            var feedback = await tests.FeedbackAsync(request ?? throw ControlPlaneException.BadRequest("A JSON body is required."), HttpCaller.Identity(http), cancellationToken);
            return TypedResults.Created($"/api/feedback/{feedback.Id}", new FeedbackResponse(feedback.Id, feedback.RequestId, feedback.Score, feedback.Timestamp));
        });

    /// <summary>The model and version a route and body name: <c>{id}</c> as <c>name:version</c>, or <c>{id}</c> with the body's version.</summary>
    private static (string Name, string Version) Target(string id, string? version)
    {
        var reference = ModelReference.Parse(id);
        if (version is not null)
        {
            if (reference.Version is not null && reference.Version != version)
            {
                throw ControlPlaneException.BadRequest($"The route names version '{reference.Version}' but the body '{version}'.");
            }

            return (reference.Version is null ? id : reference.Name, version);
        }

        return reference.Version is { } named ? (reference.Name, named) : throw ControlPlaneException.BadRequest("version is required (in the body, or the route as name:version).");
    }
}
