namespace Inference.Serving.Requests;

/// <summary>
/// How a completion is decoded, as any API surface asks for it (OpenAI's and llama.cpp's field names in the errors):
/// the length, the sampling, the stop sequences. <see cref="SamplingRules"/> checks them against the model.
/// </summary>
public sealed record SamplingParameters
{
    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public double? MinP { get; init; }

    public double? FrequencyPenalty { get; init; }

    public double? PresencePenalty { get; init; }

    public double? RepetitionPenalty { get; init; }

    public long? Seed { get; init; }

    public bool IgnoreEos { get; init; }

    /// <summary>The number of choices asked for; only one is made.</summary>
    public int? Choices { get; init; }

    public IReadOnlyList<string>? Stop { get; init; }

    /// <summary>A GBNF grammar, inline (it holds <c>::=</c>) or the name of a stored one.</summary>
    public string? Grammar { get; init; }
}
