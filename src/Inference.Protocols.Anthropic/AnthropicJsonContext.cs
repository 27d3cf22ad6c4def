using System.Text.Json.Serialization;

namespace Inference.Protocols.Anthropic;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(MessagesRequest))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(TokenCount))]
[JsonSerializable(typeof(AnthropicEvent))]
public sealed partial class AnthropicJsonContext : JsonSerializerContext;
