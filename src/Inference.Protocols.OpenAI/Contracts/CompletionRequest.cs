using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Http;

namespace Inference.Protocols.OpenAI.Contracts;

public sealed record CompletionRequest : SamplingRequest
{
    /// <summary>A string, or an array holding one string.</summary>
    public JsonElement? Prompt { get; init; }

    public StreamOptions? StreamOptions { get; init; }

    public bool? Echo { get; init; }

    public string? Suffix { get; init; }

    public int? Logprobs { get; init; }

    public int? BestOf { get; init; }

    /// <summary>The input body: the text to complete (instead of <c>prompt</c>), answered as the input body is.</summary>
    public string? Input { get; init; }

    /// <summary>The input body's parameters: <c>max_tokens</c>, <c>temperature</c>, <c>grammar</c> (and the other sampling fields).</summary>
    public CompletionParams? Params { get; init; }

    /// <summary>The input body's raw mode: true sends <c>input</c> as it is; otherwise it goes through the model's chat template.</summary>
    public bool? Raw { get; init; }

    /// <summary>The input body's request id, echoed in the answer (the request's <c>x-request-id</c> otherwise).</summary>
    public string? ReqId { get; init; }

    // OpenAI's legacy endpoint defaults to 16 tokens when max_tokens is absent.
    [JsonIgnore]
    public override int? RequestedMaxTokens => MaxTokens ?? 16;
}

/// <summary>The input body's <c>params</c>.</summary>
public sealed record CompletionParams
{
    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public long? Seed { get; init; }

    public JsonElement? Stop { get; init; }

    /// <summary>A GBNF grammar, inline or the name of a stored one.</summary>
    public string? Grammar { get; init; }
}

/// <summary>The input body's answer.</summary>
/// <param name="Model">The model (name:version when known) that answered.</param>
public sealed record InputCompletion(string Text, int TokensIn, int TokensOut, string? FinishReason, double DurationMs, string ReqId, string Model)
{
    /// <summary>The time taken, also as <c>ms</c>, as llama.cpp-style workers name it.</summary>
    public double Ms => DurationMs;
}
