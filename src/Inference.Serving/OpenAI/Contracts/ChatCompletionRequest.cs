using System.Text.Json;

namespace Inference.Serving.OpenAI.Contracts;

public sealed record ChatCompletionRequest : ISamplingRequest
{
    public string? Model { get; init; }

    public List<ChatMessageRequest?>? Messages { get; init; }

    public int? MaxTokens { get; init; }

    public int? MaxCompletionTokens { get; init; }

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

    public JsonElement? Tools { get; init; }

    public JsonElement? ResponseFormat { get; init; }

    public string? User { get; init; }

    int? ISamplingRequest.RequestedMaxTokens => MaxCompletionTokens ?? MaxTokens;
}

public sealed record ChatMessageRequest
{
    public string? Role { get; init; }

    /// <summary>A string, or an array of content parts (only "text" parts are accepted).</summary>
    public JsonElement? Content { get; init; }

    public string? Name { get; init; }
}
