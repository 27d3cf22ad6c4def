using System.Diagnostics;
using System.Text.Json;
using Inference.Serving.Auditing;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI;
using Inference.Serving.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Infer;

/// <summary>
/// Runs one inference request (a text for a model and version, in seed 002's or seed 003's shape) through routing like
/// every other route: a chat model's answer, an embedding model's vector or a classifier's label and confidence, who
/// answered (as name:version) and how long it took. Used by <c>/infer</c>, <c>/infer/batch</c>,
/// <c>/api/inference/text</c> and the asynchronous jobs.
/// </summary>
public sealed class InferRunner(ModelCatalog catalog, RequestRouting routing, TimeProvider time)
{
    private const int DefaultMaxLength = 128;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    /// <summary>The request's response; <paramref name="http"/> (for a request of its own) names the caller and gets the routing headers.</summary>
    /// <param name="kind">The kind of model the route serves (a text generation route takes chat models only); any when null.</param>
    public async Task<InferOutcome> RunAsync(InferRequest request, HttpContext? http, string requestId, CancellationToken cancellationToken, ModelKind? kind = null)
    {
        ArgumentNullException.ThrowIfNull(request);

        // An item of a batch or a job is audited under its own id; a request of its own under the HTTP request's.
        using var audited = http is null ? AuditRequestId.Begin(requestId) : default;
        var started = Stopwatch.GetTimestamp();
        InferOutcome Fail(int status, string message, IResult? result = null) =>
            new(new InferResponse(false, null, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId, time.GetUtcNow(), Empty, message, status), result);

        if (request.Conflict() is { } conflict)
        {
            return Fail(400, conflict.Message);
        }

        if (string.IsNullOrEmpty(request.Prompt))
        {
            return Fail(400, "text is required (or input, its other name): the text to run the model on.");
        }

        if (ModelNames.IsBlank(request.ModelName))
        {
            return Fail(400, ModelNames.Blank(request.Model is null ? "model_id" : "model"));
        }

        if (!catalog.IsReady)
        {
            return Fail(503, "Models are still loading; retry shortly.");
        }

        var name = request.ModelName ?? catalog.DefaultChatModel()?.Id;
        if (name is null)
        {
            return Fail(404, "No chat model is served here; name a model.");
        }

        var requested = request.Version is { Length: > 0 } version ? $"{name}:{version}" : name;
        var parameters = request.Parameters?.Merged();
        if (routing.Route(requested, http, parameters?.User, request.UseFallbacks) is not { } model)
        {
            return Fail(404, $"The model '{requested}' does not exist.");
        }

        if (kind is { } required && model.Kind != required)
        {
            return Fail(400, $"The model '{requested}' is a {ModelKindNames.Of(model.Kind)} model; this route needs a {ModelKindNames.Of(required)} model.");
        }

        try
        {
            JsonElement result;
            ChatResponse? chat = null;
            if (model.Kind == ModelKind.Classification)
            {
                // A classifier's answer: the label and its confidence, with every label's probability.
                var classified = (await model.Classifier!.ClassifyAsync([request.Prompt], cancellationToken: cancellationToken)).Classifications[0];
                result = JsonSerializer.SerializeToElement(
                    new InferClassification(classified.Label, classified.Score, classified.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => classified.Probabilities[p.i], StringComparer.Ordinal)),
                    OpenAIJsonContext.Default.InferClassification);
            }
            else if (model.Kind == ModelKind.Embedding)
            {
                var embeddings = await model.EmbeddingGenerator!.GenerateAsync([request.Prompt], cancellationToken: cancellationToken);
                result = JsonSerializer.SerializeToElement(embeddings[0].Vector.ToArray(), OpenAIJsonContext.Default.SingleArray);
            }
            else
            {
                var sampling = (parameters ?? new InferParameters()) with { MaxLength = parameters?.RequestedMaxTokens ?? DefaultMaxLength };
                if (SamplingRequestMapper.Validate(sampling, model, out var options) is { } invalid)
                {
                    return Fail(400, invalid.Message);
                }

                chat = await model.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, request.Prompt)], options, cancellationToken);
                result = JsonSerializer.SerializeToElement(chat.Text, OpenAIJsonContext.Default.String);
            }

            var answered = RequestRouting.AnsweringId(model);
            var (answeredName, answeredVersion) = routing.NameAndVersion(answered);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["model_type"] = ModelKindNames.Of(model.Kind) };
            if (answered != model.Id)
            {
                metadata["fallback_from"] = model.Id;
            }

            return new(
                new InferResponse(true, result, routing.Versioned(answered), Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId, time.GetUtcNow(), metadata),
                null,
                new InferAnswer(answeredName, answeredVersion, answered != model.Id ? model.Id : null, chat));
        }
        catch (Exception ex) when (OpenAIErrors.FromException(ex, "text", out var status) is { } mapped)
        {
            return Fail(status, mapped.Error.Message, RetryAfter.With(Problem(status, mapped.Error.Message), ex));
        }
    }

    private static IResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);
}
