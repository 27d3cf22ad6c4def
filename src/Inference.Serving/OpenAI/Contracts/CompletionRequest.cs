using System.Text.Json;
using System.Text.Json.Serialization;

namespace Inference.Serving.OpenAI.Contracts;

public sealed record CompletionRequest : SamplingRequest
{
    /// <summary>A string, or an array holding one string.</summary>
    public JsonElement? Prompt { get; init; }

    public bool? Echo { get; init; }

    public string? Suffix { get; init; }

    public int? Logprobs { get; init; }

    public int? BestOf { get; init; }

    // OpenAI's legacy endpoint defaults to 16 tokens when max_tokens is absent.
    [JsonIgnore]
    public override int? RequestedMaxTokens => MaxTokens ?? 16;
}
