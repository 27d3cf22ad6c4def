using Inference.Http;
using System.Text.Json;
using Inference.Lifecycle;
using Inference.Serving;
using Inference.Serving.Routing;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Inference.Jobs;

/// <summary>
/// Asynchronous batch inference: <c>POST /api/inference/batch</c> (<c>{"requests": [...]}</c>, each an
/// inference request in either shape, as <c>/api/inference/text</c> and <c>/infer</c> take them, and an optional <c>webhook_url</c> told of its completion) answers 202 with the job at once; <c>GET /api/inference/jobs/{id}</c> gives its status,
/// progress and the responses so far, in order; <c>DELETE</c> cancels it. Jobs live in the metadata database and
/// survive a restart; 503 while it cannot be reached.
/// </summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api/inference").WithTags("Jobs");
        api.MapPost("/batch", CreateAsync).WithSummary("Accepts a batch of inference requests as a job ({\"requests\":[...], \"webhook_url\"...}).")
            .Takes<JobRequest>();
        api.MapGet("/jobs/{id}", GetAsync).WithSummary("A job's status, progress and responses.");
        api.MapDelete("/jobs/{id}", CancelAsync).WithSummary("Cancels a job's waiting items.");
        return endpoints;
    }

    private static Task<Results<Accepted<JobResponse>, ProblemHttpResult>> CreateAsync(HttpContext http, InferenceJobs jobs) => ControlPlaneProblems.RunAsync(async () =>
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw ControlPlaneException.BadRequest($"The body is not JSON: {ex.Message}");
        }

        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array)
        {
            throw ControlPlaneException.BadRequest("requests must be a non-empty array of inference requests (text or input, model or model_id, version, parameters).");
        }

        string? webhook = null;
        if (body.TryGetProperty("webhook_url", out var url) && url.ValueKind != JsonValueKind.Null)
        {
            webhook = url.ValueKind == JsonValueKind.String ? url.GetString() : throw ControlPlaneException.BadRequest("webhook_url must be a string.");
        }

        var job = await jobs.CreateAsync([.. requests.EnumerateArray()], HttpCaller.Identity(http), HttpCaller.Of(http), webhook, http.RequestAborted);
        return TypedResults.Accepted($"/api/inference/jobs/{job.Id}", await jobs.GetAsync(job.Id, results: false, tenant: null, http.RequestAborted));
    });

    // A caller sees its own tenant's jobs (admins and an open service see all): another's are 404.
    private static Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetAsync(string id, bool? results, HttpContext http, InferenceJobs jobs, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync(async () => TypedResults.Ok(await jobs.GetAsync(id, results ?? true, HttpCaller.TenantFilter(http), cancellationToken)));

    private static Task<Results<Ok<JobResponse>, ProblemHttpResult>> CancelAsync(string id, HttpContext http, InferenceJobs jobs, CancellationToken cancellationToken) =>
        ControlPlaneProblems.RunAsync(async () => TypedResults.Ok(await jobs.CancelAsync(id, HttpCaller.TenantFilter(http), cancellationToken)));
}
