using System.Diagnostics;
using System.Text.Json;
using Inference.Http;
using Inference.Serving;
using Inference.Serving.Requests;
using Inference.Serving.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Platform;

/// <summary>
/// Runs one inference request (a text for a model and version, in either shape) through routing like
/// every other route: a chat model's answer, an embedding model's vector or a classifier's label and confidence, who
/// answered (as name:version) and how long it took. Used by <c>/infer</c>, <c>/infer/batch</c>,
/// <c>/api/inference/text</c> and the asynchronous jobs.
/// </summary>
public sealed class InferRunner(InferenceService inference, TimeProvider time)
{
    private const int DefaultMaxLength = 128;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    /// <summary>The request's response, in the current request's <see cref="InferenceContext"/>.</summary>
    /// <param name="item">An item of a batch: it runs in a context of its own under <paramref name="requestId"/> (the same caller).</param>
    /// <param name="kind">The kind of model the route serves (a text generation route takes chat models only); any when null.</param>
    public async Task<InferOutcome> RunAsync(InferRequest request, string requestId, bool item, CancellationToken cancellationToken, ModelKind? kind = null)
    {
        ArgumentNullException.ThrowIfNull(request);

        // An item of a batch is audited under its own id (and says nothing of its route in the request's headers).
        using var scope = item ? InferenceContext.Begin(InferenceContext.Current?.Item(requestId) ?? new InferenceContext(requestId)) : default;
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

        if (!inference.Catalog.IsReady)
        {
            return Fail(503, "Models are still loading; retry shortly.");
        }

        var name = request.ModelName ?? inference.Catalog.DefaultChatModel()?.Id;
        if (name is null)
        {
            return Fail(404, "No chat model is served here; name a model.");
        }

        var requested = request.Version is { Length: > 0 } version ? $"{name}:{version}" : name;
        var parameters = request.Parameters?.Merged();
        if (inference.Find(requested, user: parameters?.User, useFallbacks: request.UseFallbacks).Model is not { } model)
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
                var classified = (await model.Classifier.ClassifyAsync([request.Prompt], cancellationToken: cancellationToken)).Classifications[0];
                result = JsonSerializer.SerializeToElement(
                    new InferClassification(classified.Label, classified.Score, classified.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => classified.Probabilities[p.i], StringComparer.Ordinal)),
                    PlatformJsonContext.Default.InferClassification);
            }
            else if (model.Kind == ModelKind.Embedding)
            {
                var embeddings = await model.EmbeddingGenerator.GenerateAsync([request.Prompt], cancellationToken: cancellationToken);
                result = JsonSerializer.SerializeToElement(embeddings[0].Vector.ToArray(), PlatformJsonContext.Default.SingleArray);
            }
            else
            {
                var sampling = (parameters ?? new InferParameters()) with { MaxLength = parameters?.RequestedMaxTokens ?? DefaultMaxLength };
                var (parametersRead, readError) = sampling.ToParameters();
                if ((SamplingRules.Validate(parametersRead, model.Model, out var options) ?? readError) is { } invalid)
                {
                    return Fail(400, invalid.Message);
                }

                chat = await model.ChatClient.GetResponseAsync([new ChatMessage(ChatRole.User, request.Prompt)], options, cancellationToken);
                result = JsonSerializer.SerializeToElement(chat.Text, PlatformJsonContext.Default.String);
            }

            var answered = model.AnsweredBy.Id;
            var (answeredName, answeredVersion) = inference.NameAndVersion(answered);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["model_type"] = ModelKindNames.Of(model.Kind) };
            if (answered != model.Id)
            {
                metadata["fallback_from"] = model.Id;
            }

            return new(
                new InferResponse(true, result, inference.Versioned(answered), Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId, time.GetUtcNow(), metadata),
                null,
                new InferAnswer(answeredName, answeredVersion, answered != model.Id ? model.Id : null, chat));
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "text") is { } mapped)
        {
            return Fail(mapped.Status, mapped.Message, ApiErrors.Problem(mapped));
        }
    }
}
