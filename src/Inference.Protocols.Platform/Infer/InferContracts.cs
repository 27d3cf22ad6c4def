using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Http;

namespace Inference.Protocols.Platform;

/// <summary>
/// An inference request: a text for a model (at a version), with its parameters. Two shapes are read:
/// <c>text</c> and <c>model</c>, or (<c>input</c>, <c>model_id</c>, <c>use_fallbacks</c>).
/// </summary>
public sealed record InferRequest
{
    public string? Text { get; init; }

    /// <summary>The text, as inference requests name it.</summary>
    public string? Input { get; init; }

    /// <summary>The model's name; the default chat model when left out.</summary>
    public string? Model { get; init; }

    /// <summary>The model's name, as inference requests name it.</summary>
    public string? ModelId { get; init; }

    /// <summary>A version of it (the active one when left out).</summary>
    public string? Version { get; init; }

    public InferParameters? Parameters { get; init; }

    /// <summary>False keeps the request on its model even when it fails; fallbacks are used by default.</summary>
    public bool? UseFallbacks { get; init; }

    /// <summary>The text, whichever field carries it.</summary>
    [JsonIgnore]
    public string? Prompt => Text ?? Input;

    /// <summary>The model, whichever field names it.</summary>
    [JsonIgnore]
    public string? ModelName => Model ?? ModelId;

    /// <summary>Why the request's two shapes contradict each other, with the field at fault; null when they do not.</summary>
    public (string Message, string Field)? Conflict() =>
        Text is not null && Input is not null ? ("Send the text as text or as input, not both.", "input")
        : Model is not null && ModelId is not null && Model != ModelId ? ("model and model_id name different models; send one of them.", "model_id")
        : null;
}

/// <summary>The sampling parameters of a chat model's answer, with <c>max_length</c> for the tokens to generate.</summary>
public sealed record InferParameters : SamplingRequest
{
    /// <summary>Tokens to generate at most (<c>max_length</c>; <c>max_tokens</c> too).</summary>
    public int? MaxLength { get; init; }

    /// <summary>Further parameters (<c>top_p</c>, <c>top_k</c>, <c>seed</c>, <c>stop</c>...), read as these are.</summary>
    public InferParameters? OtherParameters { get; init; }

    /// <summary>These parameters with what <see cref="OtherParameters"/> adds where they leave a field unset.</summary>
    public InferParameters Merged() => OtherParameters is not { } other ? this : this with
    {
        OtherParameters = null,
        MaxLength = MaxLength ?? other.MaxLength,
        MaxTokens = MaxTokens ?? other.MaxTokens,
        Temperature = Temperature ?? other.Temperature,
        TopP = TopP ?? other.TopP,
        TopK = TopK ?? other.TopK,
        MinP = MinP ?? other.MinP,
        FrequencyPenalty = FrequencyPenalty ?? other.FrequencyPenalty,
        PresencePenalty = PresencePenalty ?? other.PresencePenalty,
        RepetitionPenalty = RepetitionPenalty ?? other.RepetitionPenalty,
        Seed = Seed ?? other.Seed,
        Stop = Stop ?? other.Stop,
        Grammar = Grammar ?? other.Grammar,
        User = User ?? other.User,
    };

    [JsonIgnore]
    public override int? RequestedMaxTokens => MaxLength ?? MaxTokens;
}

/// <summary><c>POST /infer/batch</c>: requests run in parallel, answered in order.</summary>
public sealed record InferBatchRequest
{
    public List<InferRequest>? Requests { get; init; }
}

/// <summary>The answer: the text (chat) or vector (embedding), who answered, how long it took.</summary>
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

/// <summary>A classifier's <c>result</c> on <c>/infer</c> (the label with its confidence score).</summary>
/// <param name="Scores">Every label's probability.</param>
public sealed record InferClassification(string Label, float Confidence, IReadOnlyDictionary<string, float> Scores);

/// <summary>
/// <c>POST /api/inference/text</c>'s answer: the generated text, the model and version that wrote it (a fallback's, when
/// one answered: <c>fallback_from</c> names the model the request went to), the tokens it read and wrote, and the time taken.
/// </summary>
public sealed record TextInferenceResponse(
    string Id,
    string ModelId,
    string? Version,
    string Output,
    string FinishReason,
    TextInferenceUsage Usage,
    bool FallbackUsed,
    string? FallbackFrom,
    double LatencyMs,
    DateTimeOffset CreatedAt);

/// <summary>Tokens read and written, under the names of the performance metrics.</summary>
public sealed record TextInferenceUsage(int TokensInput, int TokensOutput, int TotalTokens);
