using System.Text.Json;

namespace Inference.Serving.OpenAI.Contracts;

public sealed record CompletionRequest : ISamplingRequest
{
    public string? Model { get; init; }

    /// <summary>A string, or an array holding one string.</summary>
    public JsonElement? Prompt { get; init; }

    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public double? FrequencyPenalty { get; init; }

    public double? PresencePenalty { get; init; }

    public double? RepetitionPenalty { get; init; }

    public long? Seed { get; init; }

    public JsonElement? Stop { get; init; }

    public int? N { get; init; }

    public bool? Stream { get; init; }

    public StreamOptions? StreamOptions { get; init; }

    public bool? Echo { get; init; }

    public string? Suffix { get; init; }

    public int? Logprobs { get; init; }

    public int? BestOf { get; init; }

    public string? User { get; init; }

    // OpenAI's legacy endpoint defaults to 16 tokens when max_tokens is absent.
    int? ISamplingRequest.RequestedMaxTokens => MaxTokens ?? 16;
}
