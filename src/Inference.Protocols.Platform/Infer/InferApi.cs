using System.Diagnostics;
using Inference.Http;
using Inference.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Protocols.Platform;

/// <summary>
/// The synchronous inference routes: <c>POST /infer</c> (a text for a model and version: a chat model's answer
/// or an embedding model's vector, with <c>model_used</c>, <c>latency_ms</c>, <c>request_id</c>) and
/// <c>POST /infer/batch</c> (many of them, any models, run in parallel and answered in order, each item succeeding or
/// failing on its own); and <c>POST /api/inference/text</c> (an inference request: <c>model_id</c>,
/// <c>version</c>, <c>input</c>, <c>parameters</c>, <c>use_fallbacks</c>; a chat model's text with its usage). Every
/// call is routed, retried, cached and audited as the OpenAI routes' are. Errors of a single request are problem details.
/// </summary>
public static class InferApi
{
    /// <summary>Items one batch may hold.</summary>
    public const int MaxBatchItems = 256;


    public static RouteGroupBuilder MapInferApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/infer").WithTags("Infer");
        api.MapPost("/", InferAsync).WithSummary("A model's answer, vector or label for a text.").Drains().Documented<InferRequest, InferResponse>();
        api.MapPost("/batch", BatchAsync).WithSummary("Many inference requests, run in parallel, answered in order.").Drains().Documented<InferBatchRequest, InferBatchResponse>();
        endpoints.MapPost("/api/inference/text", TextAsync).WithTags("Infer").WithName("GenerateText")
            .WithSummary("Text from a chat model for an input (model_id, version, input, parameters, use_fallbacks).").Drains()
            .Documented<InferRequest, TextInferenceResponse>();
        return api;
    }

    private static async Task<IResult> InferAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var (request, error) = await JsonBody.ReadAsync(http.Request, PlatformJsonContext.Default.InferRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, Problem);
        if (error is not null)
        {
            return error;
        }

        var response = await Runner(services).RunAsync(request!, RequestIdMiddleware.IdOf(http), item: false, http.RequestAborted);
        return response.Success
            ? TypedResults.Json(response.Response, PlatformJsonContext.Default.InferResponse)
            : response.Failure ?? Problem(response.Status ?? 500, response.Error ?? "The request failed.");
    }

    private static async Task<IResult> BatchAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var (request, error) = await JsonBody.ReadAsync(http.Request, PlatformJsonContext.Default.InferBatchRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, Problem);
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
        var batchId = RequestIdMiddleware.IdOf(http);

        // Each item routed on its own, in a context of its own (no response headers: they would name only one of them).
        var runner = Runner(services);
        var results = await Task.WhenAll(items.Select((item, i) => runner.RunAsync(item ?? new InferRequest(), $"{batchId}-{i}", item: true, http.RequestAborted)));
        var responses = results.Select(r => r.Response).ToList();
        return TypedResults.Json(
            new InferBatchResponse(responses, responses.Count(r => r.Success), responses.Count(r => !r.Success), Stopwatch.GetElapsedTime(started).TotalMilliseconds, batchId),
            PlatformJsonContext.Default.InferBatchResponse);
    }


    /// <summary>A chat model's text for an input, with the model and version that wrote it, its usage and latency.</summary>
    private static async Task<IResult> TextAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var (request, error) = await JsonBody.ReadAsync(http.Request, PlatformJsonContext.Default.InferRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, Problem);
        if (error is not null)
        {
            return error;
        }

        var outcome = await Runner(services).RunAsync(request!, RequestIdMiddleware.IdOf(http), item: false, http.RequestAborted, ModelKind.Chat);
        if (!outcome.Success || outcome.Answer is not { Chat: { } chat } answer)
        {
            return outcome.Failure ?? Problem(outcome.Status ?? 500, outcome.Error ?? "The request failed.");
        }

        int input = (int)(chat.Usage?.InputTokenCount ?? 0), output = (int)(chat.Usage?.OutputTokenCount ?? 0);
        return TypedResults.Json(
            new TextInferenceResponse(
                outcome.Response.RequestId,
                answer.Model,
                answer.Version,
                chat.Text,
                Inference.Serving.Requests.FinishReasons.Name(chat.FinishReason) ?? "stop",
                new TextInferenceUsage(input, output, input + output),
                answer.FallbackFrom is not null,
                answer.FallbackFrom,
                Math.Round(outcome.Response.LatencyMs, 3),
                outcome.Response.Timestamp),
            PlatformJsonContext.Default.TextInferenceResponse);
    }

    private static IResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);

    private static InferRunner Runner(ApiServices services) => services.Services.GetRequiredService<InferRunner>();
}
