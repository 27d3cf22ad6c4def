using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Http;

namespace Inference.Protocols.Anthropic;

/// <summary><c>POST /v1/messages</c> (and <c>/v1/messages/count_tokens</c>, which reads the same body).</summary>
public sealed record MessagesRequest
{
    public string? Model { get; init; }

    /// <summary>Required on <c>/v1/messages</c>: the most tokens to generate.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>A string, or an array of text blocks.</summary>
    public JsonElement? System { get; init; }

    public List<AnthropicMessage?>? Messages { get; init; }

    public List<string>? StopSequences { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public List<AnthropicTool?>? Tools { get; init; }

    /// <summary><c>{"type": "auto"|"any"|"tool"|"none", "name"?, "disable_parallel_tool_use"?}</c>.</summary>
    public AnthropicToolChoice? ToolChoice { get; init; }

    /// <summary><c>{"type": "enabled", "budget_tokens": N}</c> or <c>{"type": "disabled"}</c>.</summary>
    public AnthropicThinking? Thinking { get; init; }

    public AnthropicMetadata? Metadata { get; init; }

    public bool? Stream { get; init; }
}

/// <summary>A turn: its content a string or an array of blocks (text, tool_use, tool_result, thinking).</summary>
public sealed record AnthropicMessage(string? Role, JsonElement? Content);

public sealed record AnthropicTool(string? Name, string? Description, JsonElement? InputSchema, string? Type = null);

public sealed record AnthropicToolChoice(string? Type, string? Name = null, bool? DisableParallelToolUse = null);

public sealed record AnthropicThinking(string? Type, int? BudgetTokens = null);

public sealed record AnthropicMetadata(string? UserId);

/// <summary>The answer: its content blocks, why it stopped, and its usage.</summary>
public sealed record MessageResponse(
    string Id,
    string Model,
    IReadOnlyList<ContentBlock> Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? StopReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? StopSequence,
    AnthropicUsage Usage)
{
    public string Type => "message";

    public string Role => "assistant";
}

/// <summary>One content block: text, thinking, or tool_use.</summary>
public sealed record ContentBlock
{
    public required string Type { get; init; }

    public string? Text { get; init; }

    public string? Thinking { get; init; }

    public string? Signature { get; init; }

    public string? Id { get; init; }

    public string? Name { get; init; }

    public JsonElement? Input { get; init; }

    public static ContentBlock OfText(string text) => new() { Type = "text", Text = text };

    public static ContentBlock OfThinking(string thinking) => new() { Type = "thinking", Thinking = thinking, Signature = "" };

    public static ContentBlock OfToolUse(string id, string name, JsonElement input) => new() { Type = "tool_use", Id = id, Name = name, Input = input };
}

public sealed record AnthropicUsage(int InputTokens, int OutputTokens, int? CacheReadInputTokens = null);

/// <summary><c>/v1/messages/count_tokens</c>' answer.</summary>
public sealed record TokenCount(int InputTokens);

/// <summary>One streamed event, whichever of its fields its type uses.</summary>
public sealed record AnthropicEvent(string Type)
{
    public MessageResponse? Message { get; init; }

    public int? Index { get; init; }

    public ContentBlock? ContentBlock { get; init; }

    public EventDelta? Delta { get; init; }

    public OutputUsage? Usage { get; init; }

    public AnthropicError? Error { get; init; }
}

/// <summary>A block's delta (text_delta, thinking_delta, input_json_delta, signature_delta) or the message's (stop_reason).</summary>
public sealed record EventDelta
{
    public string? Type { get; init; }

    public string? Text { get; init; }

    public string? Thinking { get; init; }

    public string? PartialJson { get; init; }

    public string? Signature { get; init; }

    public string? StopReason { get; init; }

    public string? StopSequence { get; init; }
}

public sealed record OutputUsage(int OutputTokens);
