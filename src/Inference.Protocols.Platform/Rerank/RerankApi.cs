using System.Numerics.Tensors;
using System.Text.Json;
using Inference.Http;
using Inference.Serving;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Platform;

/// <summary>
/// Reranking documents against a query: <c>POST /v1/rerank</c> (Jina's and Cohere's shape, OpenAI-style errors) and
/// Text Embeddings Inference's <c>POST /rerank</c>, served by any embedding model: each document is scored by the
/// cosine similarity of its embedding and the query's (the answer says so), best first.
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

        var (model, scores, tokens, error) = await ScoreAsync(services, request.Model, request.Query, documents, request.Truncate, http.RequestAborted);
        if (error is not null)
        {
            return ApiErrors.OpenAI(error);
        }

        var withText = request.ReturnDocuments != false;
        var results = Order(scores!).Take(request.TopN ?? documents.Count)
            .Select(i => new RerankResult(i, scores![i], withText ? new RerankDocument(documents[i]) : null))
            .ToList();
        return TypedResults.Json(
            new RerankResponse("rerank-" + Guid.NewGuid().ToString("N"), model!, results, new RerankUsage(tokens), new RerankMeta("embedding-cosine")),
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

        // TEI serves one model: without a model, the first embedding model served here answers.
        var name = request.Model ?? services.Catalog.Models.FirstOrDefault(m => m.Kind == ModelKind.Embedding)?.Id;
        var (_, scores, _, error) = await ScoreAsync(services, name, request.Query, [.. texts.OfType<string>()], request.Truncate, http.RequestAborted);
        if (error is not null)
        {
            return ApiErrors.Tei(error.Status == 400 ? 422 : error.Status, error.Message);
        }

        // Cosine similarity is the raw score; TEI's normalised score maps it to 0..1.
        var raw = request.RawScores == true;
        var ranked = Order(scores!).Select(i => new TeiRerankScore(i, raw ? scores![i] : (scores![i] + 1) / 2, request.ReturnText == true ? texts[i] : null)).ToList();
        return TypedResults.Json(ranked, RerankJsonContext.Default.ListTeiRerankScore);
    }

    /// <summary>Each document's cosine similarity to the query by the embedding model; or why it cannot be scored.</summary>
    private static async Task<(string? Model, double[]? Scores, int Tokens, InferenceError? Error)> ScoreAsync(
        ApiServices services, string? name, string? query, List<string> documents, bool? truncate, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(query))
        {
            return (null, null, 0, InferenceError.Invalid("query must be a non-empty string.", "query"));
        }

        if (truncate == true)
        {
            return (null, null, 0, InferenceError.Invalid("truncate is not supported: a document longer than the model reads is refused, so that no score is given for part of one.", "truncate"));
        }

        var lookup = services.Inference.Find(name, ModelKind.Embedding);
        if (lookup.Failure != ModelLookupFailure.None)
        {
            return (null, null, 0, lookup.Failure switch
            {
                ModelLookupFailure.Blank => InferenceError.Invalid("You must provide a model parameter.", "model"),
                ModelLookupFailure.NotReady => InferenceError.NotReady(),
                ModelLookupFailure.WrongKind => InferenceError.Invalid($"The model '{lookup.Requested}' is not an embedding model: reranking needs one.", "model", "model_not_supported"),
                _ => InferenceError.ModelNotFound(lookup.Requested),
            });
        }

        var model = lookup.Model!;
        try
        {
            var embeddings = await model.EmbeddingGenerator!.GenerateAsync([query, .. documents], cancellationToken: cancellationToken);
            var q = embeddings[0].Vector.Span;
            var scores = new double[documents.Count];
            for (var i = 0; i < documents.Count; i++)
            {
                scores[i] = TensorPrimitives.CosineSimilarity(q, embeddings[i + 1].Vector.Span);
            }

            return (model.Id, scores, (int)(embeddings.Usage?.InputTokenCount ?? 0), null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "documents") is { } mapped)
        {
            return (null, null, 0, mapped);
        }
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
