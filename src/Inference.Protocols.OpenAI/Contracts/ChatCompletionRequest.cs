using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Http;

namespace Inference.Protocols.OpenAI.Contracts;

public sealed record ChatCompletionRequest : SamplingRequest
{
    public List<ChatMessageRequest?>? Messages { get; init; }

    public StreamOptions? StreamOptions { get; init; }

    public int? MaxCompletionTokens { get; init; }

    /// <summary>An array of <c>{"type":"function","function":{name, description, parameters, strict}}</c>.</summary>
    public JsonElement? Tools { get; init; }

    /// <summary>"auto", "none", "required", or <c>{"type":"function","function":{"name":...}}</c>.</summary>
    public JsonElement? ToolChoice { get; init; }

    public bool? ParallelToolCalls { get; init; }

    /// <summary>none, minimal, low, medium or high: how much a reasoning model thinks (its template reads it).</summary>
    public string? ReasoningEffort { get; init; }

    /// <summary>Variables for the model's chat template, e.g. <c>{"enable_thinking": false}</c> (vLLM's field).</summary>
    public JsonElement? ChatTemplateKwargs { get; init; }

    /// <summary>Whether the prompt ends by opening the assistant's turn (default true; vLLM's field).</summary>
    public bool? AddGenerationPrompt { get; init; }

    /// <summary>Tokens the model may reason before its reasoning is closed for it (-1: no limit; llama.cpp's name).</summary>
    public int? ReasoningBudget { get; init; }

    /// <summary><c>{"type":"text"}</c>, <c>{"type":"json_object"}</c> or <c>{"type":"json_schema","json_schema":{name, schema, strict}}</c>.</summary>
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

    /// <summary>The reasoning an assistant message wrote before its answer, sent back with the history.</summary>
    public string? ReasoningContent { get; init; }

    /// <summary>The calls an assistant message made.</summary>
    public List<ToolCallRequest?>? ToolCalls { get; init; }

    /// <summary>Which call a tool message answers.</summary>
    public string? ToolCallId { get; init; }
}

public sealed record ToolCallRequest
{
    public string? Id { get; init; }

    public string? Type { get; init; }

    public FunctionCallRequest? Function { get; init; }
}

public sealed record FunctionCallRequest
{
    public string? Name { get; init; }

    /// <summary>The arguments as a JSON text, as OpenAI sends them.</summary>
    public string? Arguments { get; init; }
}
