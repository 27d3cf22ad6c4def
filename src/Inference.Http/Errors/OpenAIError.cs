using System.Text.Json.Serialization;

namespace Inference.Http;

/// <summary>OpenAI's error object: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record OpenAIError(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code = null);

public sealed record OpenAIErrorResponse(OpenAIError Error);

/// <summary>Ollama's error body: <c>{"error":"..."}</c>.</summary>
public sealed record OllamaError(string Error);

/// <summary>Text Embeddings Inference's error body: <c>{"error","error_type"}</c>.</summary>
public sealed record PredictError(string Error, string ErrorType);

/// <summary>Anthropic's error body: <c>{"type": "error", "error": {"type", "message"}}</c>.</summary>
public sealed record AnthropicErrorResponse(AnthropicError Error)
{
    public string Type => "error";
}

public sealed record AnthropicError(string Type, string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAIErrorResponse))]
[JsonSerializable(typeof(OllamaError))]
[JsonSerializable(typeof(PredictError))]
[JsonSerializable(typeof(AnthropicErrorResponse))]
public sealed partial class ErrorJsonContext : JsonSerializerContext;
