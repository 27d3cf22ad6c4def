using System.Text.Json;
using System.Text.Json.Serialization;

namespace Inference.Protocols.Platform;

// The bodies of the classification routes: vLLM's /v1/classify, Text Embeddings Inference's /predict and
// /api/inference/analyze.

/// <summary><c>POST /v1/classify</c> (vLLM): a model and one text or several.</summary>
public sealed record ClassifyRequest
{
    /// <summary>The classifier (a name or name:version); the first served classifier when left out.</summary>
    public string? Model { get; init; }

    /// <summary>A string or an array of strings.</summary>
    public JsonElement? Input { get; init; }

    /// <summary>The end user, for sticky traffic splits.</summary>
    public string? User { get; init; }
}

/// <summary>vLLM's classification response, with the model's labels and each input's logits and tokens as our extension.</summary>
/// <param name="Labels">Our extension: every label, in the order of <c>probs</c>.</param>
public sealed record ClassifyResponse(string Id, long Created, string Model, IReadOnlyList<ClassifyData> Data, ClassifyUsage Usage, IReadOnlyList<string>? Labels = null)
{
    public string Object => "list";
}

/// <summary>One input's label, the probability of every label (in the model's order) and how many there are.</summary>
/// <param name="Logits">Our extension: the raw scores the probabilities are the softmax of.</param>
/// <param name="Tokens">Our extension: the input's tokens.</param>
public sealed record ClassifyData(int Index, string Label, IReadOnlyList<float> Probs, int NumClasses, IReadOnlyList<float>? Logits = null, int? Tokens = null)
{
    public string Object => "classification";
}

public sealed record ClassifyUsage(int PromptTokens, int TotalTokens)
{
    public int CompletionTokens => 0;
}

/// <summary><c>POST /predict</c> (Text Embeddings Inference): <c>inputs</c> a string or an array of strings.</summary>
public sealed record PredictRequest
{
    public JsonElement? Inputs { get; init; }

    /// <summary>Scores as the model's logits instead of probabilities.</summary>
    public bool? RawScores { get; init; }

    /// <summary>The labels to return per input, best first (all when left out).</summary>
    public int? TopK { get; init; }

    /// <summary>TEI truncates long inputs when asked; this service refuses them instead (false only).</summary>
    public bool? Truncate { get; init; }

    /// <summary>Our extension: which classifier (TEI serves one); the first served classifier when left out.</summary>
    public string? Model { get; init; }
}

/// <summary>One label and its score, as TEI returns them (best first).</summary>
public sealed record PredictScore(float Score, string Label);

/// <summary>
/// <c>POST /api/inference/analyze</c>: a text, or several, for a classifier. The inference request's fields are
/// read too: <c>input</c> for the text, <c>model_id</c> for the model, <c>version</c>, <c>use_fallbacks</c>.
/// </summary>
public sealed record AnalyzeRequest
{
    public string? Model { get; init; }

    /// <summary>The model, as inference requests name it.</summary>
    public string? ModelId { get; init; }

    /// <summary>A version of the model (its active one when left out).</summary>
    public string? Version { get; init; }

    /// <summary>A string or an array of strings.</summary>
    public JsonElement? Text { get; init; }

    /// <summary>The text, as inference requests name it.</summary>
    public JsonElement? Input { get; init; }

    /// <summary>The labels to list per text, best first (all when left out).</summary>
    public int? TopK { get; init; }

    /// <summary>False keeps the request on its model even when it fails.</summary>
    public bool? UseFallbacks { get; init; }
}

/// <param name="Model">The model (name:version when known) that answered.</param>
public sealed record AnalyzeResponse(string Model, IReadOnlyList<AnalyzeResult> Results, AnalyzeUsage Usage, double LatencyMs, string RequestId);

/// <param name="Confidence">The label's probability.</param>
public sealed record AnalyzeResult(int Index, string Label, float Confidence, IReadOnlyList<PredictScore> Scores);

public sealed record AnalyzeUsage(int InputTokens);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ClassifyRequest))]
[JsonSerializable(typeof(ClassifyResponse))]
[JsonSerializable(typeof(PredictRequest))]
[JsonSerializable(typeof(List<PredictScore>))]
[JsonSerializable(typeof(List<List<PredictScore>>))]
[JsonSerializable(typeof(AnalyzeRequest))]
[JsonSerializable(typeof(AnalyzeResponse))]
internal sealed partial class ClassificationJsonContext : JsonSerializerContext;
