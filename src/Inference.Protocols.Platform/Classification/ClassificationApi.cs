using System.Diagnostics;
using System.Text.Json;
using Inference.Engines.Classification;
using Inference.Http;
using Inference.Serving;
using Inference.Serving.Requests;
using Inference.Serving.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Inference.Protocols.Platform;

/// <summary>
/// Text classification over HTTP, in the shapes its users' clients speak: vLLM's <c>POST /v1/classify</c>, Text
/// Embeddings Inference's <c>POST /predict</c> and <c>POST /api/inference/analyze</c> (<c>/infer</c>
/// <c>/infer</c> answers classifiers too). Each routes its model like every other route (versions, fallbacks, a key's
/// models) and runs it through the classifier's pipeline (audit, cache, metrics).
/// </summary>
public static class ClassificationApi
{
    public static IEndpointRouteBuilder MapClassificationApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/classify", ClassifyAsync).WithTags("OpenAI").WithName("Classify")
            .WithSummary("Labels and their probabilities for one text or several (vLLM's classification API).").Drains()
            .Documented<ClassifyRequest, ClassifyResponse>();
        endpoints.MapPost("/predict", PredictAsync).WithTags("Classification").WithName("Predict")
            .WithSummary("Labels with scores for one text or several (Text Embeddings Inference's /predict; a list of lists for several).").Drains()
            .Documented<PredictRequest, List<PredictScore>>();
        endpoints.MapPost("/api/inference/analyze", AnalyzeAsync).WithTags("Classification").WithName("Analyze")
            .WithSummary("Analyzes text with a classification model: its label, confidence and scores .").Drains()
            .Documented<AnalyzeRequest, AnalyzeResponse>();
        return endpoints;
    }

    private static async Task<IResult> ClassifyAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var (request, bodyError) = await JsonBody.ReadAsync(http.Request, ClassificationJsonContext.Default.ClassifyRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var outcome = await RunAsync(http, services, request!.Model, request.Input, "input", request.User, useFallbacks: null);
        if (outcome.Error is { } error)
        {
            return ApiErrors.OpenAI(error.Status, error.Message, error.Status >= 500 ? InferenceError.ServerError : InferenceError.InvalidRequest, error.Param, error.Code);
        }

        var response = outcome.Response!;
        var data = response.Classifications
            .Select((c, i) => new ClassifyData(i, c.Label, c.Probabilities, c.Labels.Count, c.Logits, c.InputTokens))
            .ToList();
        var tokens = (int)(response.Usage?.InputTokenCount ?? 0);
        return TypedResults.Json(
            new ClassifyResponse($"classify-{Guid.NewGuid():N}", services.Now, outcome.Model!, data, new ClassifyUsage(tokens, tokens), response.Classifications[0].Labels),
            ClassificationJsonContext.Default.ClassifyResponse);
    }

    private static async Task<IResult> PredictAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var (request, bodyError) = await JsonBody.ReadAsync(
            http.Request, ClassificationJsonContext.Default.PredictRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, TeiError);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (ModelNames.IsBlank(request!.Model))
        {
            // TEI answers bad input with 422, but a blank model is no input at all: a 400, as on every route.
            return TeiError(400, ModelNames.Blank("model"));
        }

        if (request.TopK is < 1)
        {
            return TeiError(422, "top_k must be at least 1.");
        }

        if (request.Truncate == true)
        {
            return TeiError(422, "truncate is not supported: an input longer than the model reads is refused, so that no label is given for part of a text.");
        }

        var outcome = await RunAsync(http, services, request.Model, request.Inputs, "inputs", user: null, useFallbacks: null);
        if (outcome.Error is { } error)
        {
            return TeiError(error.Status == 400 ? 422 : error.Status, error.Message);
        }

        var raw = request.RawScores == true;
        var batches = outcome.Response!.Classifications.Select(c => Scores(c, raw, request.TopK)).ToList();
        return outcome.Single
            ? TypedResults.Json(batches[0], ClassificationJsonContext.Default.ListPredictScore)
            : TypedResults.Json(batches, ClassificationJsonContext.Default.ListListPredictScore);
    }

    private static async Task<IResult> AnalyzeAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var started = Stopwatch.GetTimestamp();
        var (request, bodyError) = await JsonBody.ReadAsync(
            http.Request, ClassificationJsonContext.Default.AnalyzeRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, Problem);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (request!.TopK is < 1)
        {
            return Problem(400, "top_k must be at least 1.");
        }

        if (request.Text is not null && request.Input is not null)
        {
            return Problem(400, "Send the text as text or as input, not both.");
        }

        if (request.Model is not null && request.ModelId is not null && request.Model != request.ModelId)
        {
            return Problem(400, "model and model_id name different models; send one of them.");
        }

        var name = request.Model ?? request.ModelId;
        var model = name is not null && request.Version is { Length: > 0 } version ? $"{name}:{version}" : name;
        var outcome = await RunAsync(
            http, services, model, request.Text ?? request.Input, request.Text is null && request.Input is not null ? "input" : "text", user: null, request.UseFallbacks,
            modelParam: request.Model is null && request.ModelId is not null ? "model_id" : "model");
        if (outcome.Error is { } error)
        {
            return Problem(error.Status, error.Message);
        }

        var response = outcome.Response!;
        var results = response.Classifications.Select((c, i) => new AnalyzeResult(i, c.Label, c.Score, Scores(c, raw: false, request.TopK))).ToList();
        return TypedResults.Json(
            new AnalyzeResponse(outcome.Model!, results, new AnalyzeUsage((int)(response.Usage?.InputTokenCount ?? 0)), Stopwatch.GetElapsedTime(started).TotalMilliseconds, http.TraceIdentifier),
            ClassificationJsonContext.Default.AnalyzeResponse);
    }

    /// <summary>Labels with their probabilities (or logits), best first, the first <paramref name="topK"/> of them.</summary>
    internal static List<PredictScore> Scores(TextClassification classification, bool raw, int? topK)
    {
        var values = raw ? classification.Logits : classification.Probabilities;
        return [.. values.Select((v, i) => new PredictScore(v, classification.Labels[i]))
            .OrderByDescending(s => s.Score)
            .Take(topK ?? int.MaxValue)];
    }

    private sealed record Failure(int Status, string Message, string? Param = null, string? Code = null);

    private sealed record Outcome(TextClassificationResponse? Response, string? Model, bool Single, Failure? Error);

    /// <summary>Routes the model, reads the inputs and classifies them; or says why not.</summary>
    private static async Task<Outcome> RunAsync(
        HttpContext http, ApiServices services, string? requested, JsonElement? input, string param, string? user, bool? useFallbacks, string modelParam = "model")
    {
        Outcome Fail(int status, string message, string? code = null, string? p = null) => new(null, null, false, new Failure(status, message, p ?? param, code));

        if (ModelNames.IsBlank(requested))
        {
            return Fail(400, ModelNames.Blank(modelParam), null, modelParam);
        }

        if (!services.Catalog.IsReady)
        {
            return Fail(503, "Models are still loading; retry shortly.", "model_not_ready", "model");
        }

        var name = requested ?? services.Catalog.DefaultClassifier()?.Id;
        if (name is null)
        {
            return Fail(404, "No classification model is served here.", "model_not_found", "model");
        }

        if (services.Inference.Find(name, user: user, useFallbacks: useFallbacks).Model is not { } model)
        {
            return Fail(404, $"The model '{name}' does not exist", "model_not_found", "model");
        }

        if (model.Kind != ModelKind.Classification)
        {
            return Fail(400, $"The model '{name}' is a {ModelKindNames.Of(model.Kind)} model; it does not classify text. Name a classification model.", "model_not_supported", "model");
        }

        var (inputs, single, inputError) = TextInputs.Read(input, param, services.Options.Value.MaxEmbeddingInputs, "classified");
        if (inputError is not null)
        {
            return Fail(400, inputError);
        }

        try
        {
            var response = await model.Classifier.ClassifyAsync(inputs, cancellationToken: http.RequestAborted);
            return new(response, services.Inference.Versioned(response.ModelId ?? model.AnsweredBy.Id), single, null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, param) is { } mapped)
        {
            if (mapped.RetryAfter is { } after)
            {
                ApiErrors.SetRetryAfter(http.Response, after);
            }

            return Fail(mapped.Status, mapped.Message, mapped.Code, mapped.Param);
        }
    }

    /// <summary>Text Embeddings Inference's error body.</summary>
    private static IResult TeiError(int status, string message) => ApiErrors.Tei(status, message);

    private static IResult Problem(int status, string message) => TypedResults.Problem(message, statusCode: status);
}
