using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Serving.OpenAI.Contracts;

namespace Inference.Serving.Generate;

/// <summary>Seed 001's <c>POST /generate</c>: a prompt (with the model's chat template, unless raw) and sampling parameters.</summary>
public sealed record GenerateRequest : SamplingRequest
{
    public string? Prompt { get; init; }

    /// <summary>A system message before the prompt.</summary>
    public string? System { get; init; }

    /// <summary>Send the prompt as it is, with no chat template.</summary>
    public bool? Raw { get; init; }

    [JsonIgnore]
    public override int? RequestedMaxTokens => MaxTokens;
}

/// <summary>Seed 001's <c>POST /generate/structured</c>: a prompt and the JSON schema the answer must be an instance of.</summary>
public sealed record StructuredGenerateRequest : SamplingRequest
{
    public string? Prompt { get; init; }

    public string? System { get; init; }

    public JsonElement? Schema { get; init; }

    /// <summary>A name for the schema (instructor's response model), shown to the model with it.</summary>
    public string? SchemaName { get; init; }

    [JsonIgnore]
    public override int? RequestedMaxTokens => MaxTokens;
}

public sealed record GenerateResponse(string Text, string Model, string? FinishReason, Usage Usage, double LatencyMs, string? RequestId);

/// <param name="Data">The answer, parsed and validated against the request's schema.</param>
public sealed record StructuredGenerateResponse(JsonElement Data, string Model, bool Valid, Usage Usage, double LatencyMs, string? RequestId);
