using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Http;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Platform;

/// <summary><c>POST /generate</c>: a prompt (with the model's chat template, unless raw) and sampling parameters.</summary>
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

/// <summary><c>POST /generate/structured</c>: a prompt and the JSON schema the answer must be an instance of.</summary>
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

public sealed record GenerateResponse(string Text, string Model, string? FinishReason, TokenUsage Usage, double LatencyMs, string? RequestId);

/// <param name="Data">The answer, parsed and validated against the request's schema.</param>
public sealed record StructuredGenerateResponse(JsonElement Data, string Model, bool Valid, TokenUsage Usage, double LatencyMs, string? RequestId);

/// <summary>The tokens a completion read and wrote, under OpenAI's names (and the prompt tokens taken from a cache).</summary>
public sealed record TokenUsage(int PromptTokens, int CompletionTokens, int TotalTokens, PromptTokenDetails? PromptTokensDetails = null)
{
    public static TokenUsage Of(UsageDetails? usage)
    {
        var prompt = (int)(usage?.InputTokenCount ?? 0);
        var completion = (int)(usage?.OutputTokenCount ?? 0);
        return new(prompt, completion, prompt + completion, usage?.CachedInputTokenCount is long cached ? new PromptTokenDetails((int)cached) : null);
    }
}

public sealed record PromptTokenDetails(int CachedTokens);
