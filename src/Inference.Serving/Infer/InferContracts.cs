using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Serving.OpenAI.Contracts;

namespace Inference.Serving.Infer;

/// <summary>Seed 002's <c>POST /infer</c>: a text for a model (at a version), with its parameters.</summary>
public sealed record InferRequest
{
    public string? Text { get; init; }

    /// <summary>The model's name; the first chat model served when left out.</summary>
    public string? Model { get; init; }

    /// <summary>A version of it (the active one when left out).</summary>
    public string? Version { get; init; }

    public InferParameters? Parameters { get; init; }
}

/// <summary>The sampling parameters of a chat model's answer, with seed 002's <c>max_length</c> for the tokens to generate.</summary>
public sealed record InferParameters : SamplingRequest
{
    /// <summary>Tokens to generate at most (seed 002's name; <c>max_tokens</c> too).</summary>
    public int? MaxLength { get; init; }

    [JsonIgnore]
    public override int? RequestedMaxTokens => MaxLength ?? MaxTokens;
}

/// <summary>Seed 002's <c>POST /infer/batch</c>: requests run in parallel, answered in order.</summary>
public sealed record InferBatchRequest
{
    public List<InferRequest>? Requests { get; init; }
}

/// <summary>Seed 002's response: the text (chat) or vector (embedding), who answered, how long it took.</summary>
/// <param name="ModelUsed">The model and version that answered, as <c>name:version</c>.</param>
/// <param name="Error">Why an item of a batch failed (its <c>status</c> is the HTTP status it would have had alone).</param>
public sealed record InferResponse(
    bool Success,
    JsonElement? Result,
    string? ModelUsed,
    double LatencyMs,
    string RequestId,
    DateTimeOffset Timestamp,
    IReadOnlyDictionary<string, string> Metadata,
    string? Error = null,
    int? Status = null);

public sealed record InferBatchResponse(IReadOnlyList<InferResponse> Results, int Succeeded, int Failed, double LatencyMs, string RequestId);

/// <summary>A classifier's <c>result</c> on <c>/infer</c> (seed 002's "classification with confidence score").</summary>
/// <param name="Scores">Every label's probability.</param>
public sealed record InferClassification(string Label, float Confidence, IReadOnlyDictionary<string, float> Scores);
