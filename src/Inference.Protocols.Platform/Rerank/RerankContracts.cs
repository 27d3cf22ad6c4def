using System.Text.Json;
using System.Text.Json.Serialization;

namespace Inference.Protocols.Platform;

/// <summary><c>POST /v1/rerank</c> (Jina's and Cohere's shape): a query, documents (strings or objects with text), top_n.</summary>
public sealed record RerankRequest
{
    public string? Model { get; init; }

    public string? Query { get; init; }

    public JsonElement? Documents { get; init; }

    public int? TopN { get; init; }

    /// <summary>Give each result its document's text (default true).</summary>
    public bool? ReturnDocuments { get; init; }

    /// <summary>Cut a document longer than the model reads to what it reads (its result says <c>truncated</c>); refused otherwise.</summary>
    public bool? Truncate { get; init; }
}

public sealed record RerankResponse(string Id, string Model, IReadOnlyList<RerankResult> Results, RerankUsage Usage, RerankMeta Meta);

/// <param name="Truncated">True when the document was cut to what the model reads (asked with <c>truncate</c>).</param>
public sealed record RerankResult(int Index, double RelevanceScore, RerankDocument? Document, bool? Truncated = null);

public sealed record RerankDocument(string Text);

public sealed record RerankUsage(int TotalTokens);

/// <summary>How the scores were made: <c>cross-encoder</c> (the sigmoid of its logit for each pair) or <c>embedding-cosine</c> (cosine similarity of the model's own embeddings).</summary>
public sealed record RerankMeta(string Scoring);

/// <summary>Text Embeddings Inference's <c>POST /rerank</c>: query, texts, raw_scores, return_text.</summary>
public sealed record TeiRerankRequest
{
    public string? Model { get; init; }

    public string? Query { get; init; }

    public List<string?>? Texts { get; init; }

    public bool? RawScores { get; init; }

    public bool? ReturnText { get; init; }

    public bool? Truncate { get; init; }
}

public sealed record TeiRerankScore(int Index, double Score, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RerankRequest))]
[JsonSerializable(typeof(RerankResponse))]
[JsonSerializable(typeof(TeiRerankRequest))]
[JsonSerializable(typeof(List<TeiRerankScore>))]
public sealed partial class RerankJsonContext : JsonSerializerContext;
