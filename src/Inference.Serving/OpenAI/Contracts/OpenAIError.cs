using System.Text.Json.Serialization;

namespace Inference.Serving.OpenAI.Contracts;

/// <summary>OpenAI's error object: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record OpenAIError(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code = null);

public sealed record OpenAIErrorResponse(OpenAIError Error);
