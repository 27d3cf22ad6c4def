using System.Diagnostics;
using System.Text.Json;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI;
using Inference.Serving.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Infer;

/// <summary>
/// Seed 002's synchronous inference routes: <c>POST /infer</c> (a text for a model and version: a chat model's answer
/// or an embedding model's vector, with <c>model_used</c>, <c>latency_ms</c>, <c>request_id</c>) and
/// <c>POST /infer/batch</c> (many of them, any models, run in parallel and answered in order, each item succeeding or
/// failing on its own). Every call is routed, retried, cached and audited as the OpenAI routes' are. Errors of a single
/// request are problem details.
/// </summary>
public static class InferApi
{
    /// <summary>Items one batch may hold.</summary>
    public const int MaxBatchItems = 256;

    private const int DefaultMaxLength = 128;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    public static RouteGroupBuilder MapInferApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/infer").WithTags("Infer");
        api.MapPost("/", InferAsync).WithSummary("A model's answer (or vector) for a text.");
        api.MapPost("/batch", BatchAsync).WithSummary("Many inference requests, run in parallel, answered in order.");
        return api;
    }

    private static async Task<IResult> InferAsync(HttpContext http, [AsParameters] OpenAIServices services)
    {
        var (request, error) = await OpenAIRequestBody.ReadAsync(http.Request, OpenAIJsonContext.Default.InferRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, Problem);
        if (error is not null)
        {
            return error;
        }

        var response = await RunAsync(request!, http, RequestIdOf(http), services, http.RequestAborted);
        return response.Success
            ? TypedResults.Json(response.Response, OpenAIJsonContext.Default.InferResponse)
            : response.Failure ?? Problem(response.Status ?? 500, response.Error ?? "The request failed.");
    }

    private static async Task<IResult> BatchAsync(HttpContext http, [AsParameters] OpenAIServices services)
    {
        var (request, error) = await OpenAIRequestBody.ReadAsync(http.Request, OpenAIJsonContext.Default.InferBatchRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, Problem);
        if (error is not null)
        {
            return error;
        }

        if (request!.Requests is not { Count: > 0 } items)
        {
            return Problem(400, "requests must be a non-empty array.");
        }

        if (items.Count > MaxBatchItems)
        {
            return Problem(400, $"A batch holds at most {MaxBatchItems} requests; this one has {items.Count}. Send larger sets as a job.");
        }

        var started = Stopwatch.GetTimestamp();
        var batchId = RequestIdOf(http);

        // Each item routed on its own (no response headers: they would name only one of them).
        var results = await Task.WhenAll(items.Select((item, i) => RunAsync(item ?? new InferRequest(), null, $"{batchId}-{i}", services, http.RequestAborted)));
        var responses = results.Select(r => r.Response).ToList();
        return TypedResults.Json(
            new InferBatchResponse(responses, responses.Count(r => r.Success), responses.Count(r => !r.Success), Stopwatch.GetElapsedTime(started).TotalMilliseconds, batchId),
            OpenAIJsonContext.Default.InferBatchResponse);
    }

    private static async Task<Outcome> RunAsync(InferRequest request, HttpContext? http, string requestId, OpenAIServices services, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Outcome Fail(int status, string message, IResult? result = null) =>
            new(new InferResponse(false, null, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId, services.Time.GetUtcNow(), Empty, message, status), result);

        if (string.IsNullOrEmpty(request.Text))
        {
            return Fail(400, "text is required.");
        }

        if (!services.Catalog.IsReady)
        {
            return Fail(503, "Models are still loading; retry shortly.");
        }

        var name = request.Model ?? services.Catalog.Models.FirstOrDefault(m => m.Kind == ModelKind.Chat)?.Id;
        if (name is null)
        {
            return Fail(404, "No chat model is served here; name a model.");
        }

        var requested = request.Version is { Length: > 0 } version ? $"{name}:{version}" : name;
        var routing = services.Routing;
        if (routing.Route(requested, http, request.Parameters?.User) is not { } model)
        {
            return Fail(404, $"The model '{requested}' does not exist.");
        }

        try
        {
            JsonElement result;
            if (model.Kind == ModelKind.Embedding)
            {
                var embeddings = await model.EmbeddingGenerator!.GenerateAsync([request.Text], cancellationToken: cancellationToken);
                result = JsonSerializer.SerializeToElement(embeddings[0].Vector.ToArray(), OpenAIJsonContext.Default.SingleArray);
            }
            else
            {
                var parameters = (request.Parameters ?? new InferParameters()) with { MaxLength = request.Parameters?.RequestedMaxTokens ?? DefaultMaxLength };
                if (SamplingRequestMapper.Validate(parameters, model, out var options) is { } invalid)
                {
                    return Fail(400, invalid.Message);
                }

                var answer = await model.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, request.Text)], options, cancellationToken);
                result = JsonSerializer.SerializeToElement(answer.Text, OpenAIJsonContext.Default.String);
            }

            var answered = RequestRouting.AnsweringId(model);
            var used = routing.Router.Table.VersionOf(answered) is { } known ? $"{known.Name}:{known.Version}" : answered;
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["model_type"] = model.Kind == ModelKind.Chat ? "chat" : "embedding" };
            if (answered != model.Id)
            {
                metadata["fallback_from"] = model.Id;
            }

            return new(new InferResponse(true, result, used, Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId, services.Time.GetUtcNow(), metadata), null);
        }
        catch (Exception ex) when (OpenAIErrors.FromException(ex, "text", out var status) is { } mapped)
        {
            return Fail(status, mapped.Error.Message, RetryAfter.With(Problem(status, mapped.Error.Message), ex));
        }
    }

    private static string RequestIdOf(HttpContext http) => http.Response.Headers[RequestIdMiddleware.HeaderName].FirstOrDefault() ?? http.TraceIdentifier;

    private static IResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);

    /// <summary>An item's response, and for a single request that failed, the problem to answer with.</summary>
    private sealed record Outcome(InferResponse Response, IResult? Failure)
    {
        public bool Success => Response.Success;

        public int? Status => Response.Status;

        public string? Error => Response.Error;
    }
}
