using System.Text.Json;
using System.Text.Json.Serialization;

namespace Inference.Serving.OpenAI.Contracts;

public sealed record ChatCompletionRequest : SamplingRequest
{
    public List<ChatMessageRequest?>? Messages { get; init; }

    public int? MaxCompletionTokens { get; init; }

    public JsonElement? Tools { get; init; }

    public JsonElement? ResponseFormat { get; init; }

    [JsonIgnore]
    public override int? RequestedMaxTokens => MaxCompletionTokens ?? MaxTokens;
}

public sealed record ChatMessageRequest
{
    public string? Role { get; init; }

    /// <summary>A string, or an array of content parts (only "text" parts are accepted).</summary>
    public JsonElement? Content { get; init; }

    public string? Name { get; init; }
}
