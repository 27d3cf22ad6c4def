using System.Numerics.Tensors;
using System.Text.Json;
using Inference.Engines.Classification;
using Inference.Http;
using Inference.Serving;
using Inference.Serving.Catalog;
using Inference.Serving.Remote;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Protocols.Platform;

/// <summary>
/// Reranking documents against a query: <c>POST /v1/rerank</c> (Jina's and Cohere's shape, OpenAI-style errors) and
/// Text Embeddings Inference's <c>POST /rerank</c>, best first. A cross-encoder (a sequence classifier with one output)
/// reads each query-document pair; any embedding model scores by the cosine similarity of its vectors. The answer
/// says which (<c>meta.scoring</c>).
/// </summary>
public static class RerankApi
{
    public const int MaxDocuments = 1000;

    public static IEndpointRouteBuilder MapRerankApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/rerank", RerankAsync).WithTags("Rerank").WithName("Rerank")
            .WithSummary("Documents ordered by relevance to a query, with their scores (Jina's and Cohere's shape).").Drains()
            .Documented<RerankRequest, RerankResponse>();
        endpoints.MapPost("/rerank", TeiRerankAsync).WithTags("Rerank").WithName("TeiRerank")
            .WithSummary("Texts ordered by relevance to a query (Text Embeddings Inference's /rerank).").Drains()
            .Documented<TeiRerankRequest, List<TeiRerankScore>>();
        return endpoints;
    }

    private static async Task<IResult> RerankAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var (request, bodyError) = await JsonBody.ReadAsync(http.Request, RerankJsonContext.Default.RerankRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (Documents(request!.Documents, out var documents) is { } documentsError)
        {
            return ApiErrors.OpenAI(documentsError);
        }

        if (request.TopN is < 1)
        {
            return ApiErrors.OpenAI(InferenceError.Invalid("top_n must be at least 1.", "top_n"));
        }

        var (model, error) = Find(services, request.Model);
        if (error is not null)
        {
            return ApiErrors.OpenAI(error);
        }

        if (ModelForwarding.ServedByOurs(model!.Model))
        {
            // Reranked there, with the model's own tokenizer and limits.
            return await Forwarded.PostAsync(http, model.Model, "/v1/rerank", JsonSerializer.SerializeToNode(request, RerankJsonContext.Default.RerankRequest)!.AsObject());
        }

        var (scored, scoreError) = await ScoreAsync(model, request.Query, documents, request.Truncate == true, http.RequestAborted);
        if (scoreError is not null)
        {
            return ApiErrors.OpenAI(scoreError);
        }

        var withText = request.ReturnDocuments != false;
        var results = Order(scored!.Relevance).Take(request.TopN ?? documents.Count)
            .Select(i => new RerankResult(i, scored.Relevance[i], withText ? new RerankDocument(documents[i]) : null, scored.Truncated[i] ? true : null))
            .ToList();
        return TypedResults.Json(
            new RerankResponse("rerank-" + Guid.NewGuid().ToString("N"), scored.Model, results, new RerankUsage(scored.Tokens), new RerankMeta(scored.Scoring)),
            RerankJsonContext.Default.RerankResponse);
    }

    private static async Task<IResult> TeiRerankAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var (request, bodyError) = await JsonBody.ReadAsync(
            http.Request, RerankJsonContext.Default.TeiRerankRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, ApiErrors.Tei);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (request!.Texts is not { Count: > 0 } texts || texts.Any(t => t is null))
        {
            return ApiErrors.Tei(422, "texts must be a non-empty array of strings.");
        }

        // TEI serves one model: without a model, the first cross-encoder served here answers, else the first embedding model.
        var name = request.Model ?? services.Catalog.DefaultReranker()?.Id;
        var (model, error) = Find(services, name);
        if (error is not null)
        {
            return ApiErrors.Tei(error.Status == 400 ? 422 : error.Status, error.Message);
        }

        if (ModelForwarding.ServedByOurs(model!.Model))
        {
            return await Forwarded.PostAsync(http, model.Model, "/rerank", JsonSerializer.SerializeToNode(request, RerankJsonContext.Default.TeiRerankRequest)!.AsObject());
        }

        var (scored, scoreError) = await ScoreAsync(model, request.Query, [.. texts.OfType<string>()], request.Truncate == true, http.RequestAborted);
        if (scoreError is not null)
        {
            return ApiErrors.Tei(scoreError.Status == 400 ? 422 : scoreError.Status, scoreError.Message);
        }

        var scores = request.RawScores == true ? scored!.Raw : scored!.Normalized;
        var ranked = Order(scores).Select(i => new TeiRerankScore(i, scores[i], request.ReturnText == true ? texts[i] : null)).ToList();
        return TypedResults.Json(ranked, RerankJsonContext.Default.ListTeiRerankScore);
    }

    /// <summary>The model asked for, which must rerank: an embedding model, or a classifier with one output (a cross-encoder).</summary>
    private static (RoutedModel? Model, InferenceError? Error) Find(ApiServices services, string? name)
    {
        var lookup = services.Inference.Find(name);
        if (lookup.Failure != ModelLookupFailure.None)
        {
            return (null, lookup.Failure switch
            {
                ModelLookupFailure.Blank => InferenceError.Invalid("You must provide a model parameter.", "model"),
                ModelLookupFailure.NotReady => InferenceError.NotReady(),
                _ => InferenceError.ModelNotFound(lookup.Requested),
            });
        }

        var model = lookup.Model!.Model;
        return model.Kind == ModelKind.Embedding || (model.Kind == ModelKind.Classification && model.Labels is { Count: 1 })
            ? (lookup.Model, null)
            : (null, InferenceError.Invalid(
                $"The model '{lookup.Requested}' cannot rerank: reranking needs an embedding model or a cross-encoder (a sequence classifier with one output).", "model", "model_not_supported"));
    }

    /// <summary>
    /// Each document scored against the query: by a cross-encoder reading each pair (its logit; relevance its
    /// sigmoid), or by the cosine of an embedding model's vectors (normalised as (cos + 1) / 2). A document longer
    /// than the model reads is refused, or cut to fit when <paramref name="truncate"/> (and marked).
    /// </summary>
    private static async Task<(Scores? Scored, InferenceError? Error)> ScoreAsync(
        RoutedModel model, string? query, List<string> documents, bool truncate, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(query))
        {
            return (null, InferenceError.Invalid("query must be a non-empty string.", "query"));
        }

        try
        {
            if (model.Model.Kind == ModelKind.Classification)
            {
                var classified = await model.Classifier.ClassifyAsync(documents, new TextClassificationOptions { PairWith = query, Truncate = truncate }, cancellationToken);
                var logits = classified.Classifications.Select(c => (double)c.Logits[0]).ToArray();
                return (new Scores(
                    classified.ModelId ?? model.Id,
                    logits,
                    [.. logits.Select(Sigmoid)],
                    [.. classified.Classifications.Select(c => c.Truncated)],
                    (int)(classified.Usage?.InputTokenCount ?? 0),
                    "cross-encoder"), null);
            }

            var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { [EngineEmbeddingOptions.Whole] = !truncate } };
            var embeddings = await model.EmbeddingGenerator!.GenerateAsync([query, .. documents], options, cancellationToken);
            var q = embeddings[0].Vector.Span;
            var cosines = new double[documents.Count];
            for (var i = 0; i < documents.Count; i++)
            {
                cosines[i] = TensorPrimitives.CosineSimilarity(q, embeddings[i + 1].Vector.Span);
            }

            return (new Scores(
                model.Id,
                cosines,
                [.. cosines.Select(c => (c + 1) / 2)],
                [.. embeddings.Skip(1).Select(EngineEmbeddingProperties.IsTruncated)],
                (int)(embeddings.Usage?.InputTokenCount ?? 0),
                "embedding-cosine") { Relevance = cosines }, null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "documents") is { } mapped)
        {
            return (null, mapped with { Message = mapped.Code == "context_length_exceeded" ? mapped.Message + " Send truncate: true to score the part the model reads." : mapped.Message });
        }
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>A rerank's scores: raw (a logit or a cosine), normalised to 0..1, and the relevance /v1/rerank reports.</summary>
    private sealed record Scores(string Model, double[] Raw, double[] Normalized, bool[] Truncated, int Tokens, string Scoring)
    {
        /// <summary>A cross-encoder's sigmoid; an embedding model's cosine itself.</summary>
        public double[] Relevance { get; init; } = Normalized;
    }

    /// <summary>Indexes by score, best first (earlier first among equals).</summary>
    private static IEnumerable<int> Order(double[] scores) => Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i);

    private static InferenceError? Documents(JsonElement? given, out List<string> documents)
    {
        documents = [];
        if (given is not { ValueKind: JsonValueKind.Array } array || array.GetArrayLength() == 0)
        {
            return InferenceError.Invalid("documents must be a non-empty array of strings or of objects with text.", "documents");
        }

        if (array.GetArrayLength() > MaxDocuments)
        {
            return InferenceError.Invalid($"documents holds {array.GetArrayLength()} documents; at most {MaxDocuments} are allowed.", "documents");
        }

        var index = 0;
        foreach (var document in array.EnumerateArray())
        {
            var text = document.ValueKind switch
            {
                JsonValueKind.String => document.GetString(),
                JsonValueKind.Object when document.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String => t.GetString(),
                _ => null,
            };
            if (text is null)
            {
                return InferenceError.Invalid($"documents[{index}] must be a string or an object with text.", $"documents[{index}]");
            }

            documents.Add(text);
            index++;
        }

        return null;
    }
}
