using System.Text.Json;
using System.Text.Json.Serialization;

namespace Inference.Protocols.Responses;

/// <summary><c>POST /v1/responses</c>.</summary>
public sealed record ResponseRequest
{
    public string? Model { get; init; }

    /// <summary>A string (one user message), or an array of items: messages, function_call, function_call_output, reasoning.</summary>
    public JsonElement? Input { get; init; }

    /// <summary>The system (developer) message put first; not carried to a response that continues this one.</summary>
    public string? Instructions { get; init; }

    public int? MaxOutputTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    /// <summary>Not in OpenAI's API; vLLM and llama.cpp accept it.</summary>
    public int? TopK { get; init; }

    /// <summary>Not in OpenAI's API; vLLM and llama.cpp accept it.</summary>
    public long? Seed { get; init; }

    /// <summary>Function tools (<c>{"type": "function", "name", "description", "parameters", "strict"}</c>); hosted tools are refused by type.</summary>
    public JsonElement? Tools { get; init; }

    /// <summary><c>"auto"</c>, <c>"none"</c>, <c>"required"</c>, or <c>{"type": "function", "name": ...}</c>.</summary>
    public JsonElement? ToolChoice { get; init; }

    public bool? ParallelToolCalls { get; init; }

    /// <summary><c>{"format": {"type": "text" | "json_object" | "json_schema", ...}}</c>.</summary>
    public ResponseText? Text { get; init; }

    /// <summary><c>{"effort": ..., "summary": ...}</c>.</summary>
    public ResponseReasoning? Reasoning { get; init; }

    /// <summary>Keep the response (the default) so that it can be read back and continued.</summary>
    public bool? Store { get; init; }

    public string? PreviousResponseId { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }

    public string? User { get; init; }

    public string? SafetyIdentifier { get; init; }

    public bool? Stream { get; init; }

    /// <summary>Not run here: a background response is refused.</summary>
    public bool? Background { get; init; }

    /// <summary><c>"disabled"</c> (the default): an input longer than the context is an error, never cut silently.</summary>
    public string? Truncation { get; init; }

    /// <summary>Not in OpenAI's API: false keeps the request on its model even when it fails; fallbacks are used by default.</summary>
    public bool? UseFallbacks { get; init; }

    /// <summary>A stored conversation object, which this platform does not keep: refused (previous_response_id continues one).</summary>
    public JsonElement? Conversation { get; init; }

    /// <summary>A stored prompt template, which this platform does not keep: refused.</summary>
    public JsonElement? Prompt { get; init; }
}

public sealed record ResponseText(JsonElement? Format = null, string? Verbosity = null);

public sealed record ResponseReasoning(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Effort = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Summary = null);

/// <summary>The response object: what was asked, what the model wrote as output items, and its usage.</summary>
public sealed record ResponseObject
{
    public required string Id { get; init; }

    public string Object => "response";

    public required long CreatedAt { get; init; }

    /// <summary>in_progress, completed, incomplete, or failed.</summary>
    public required string Status { get; init; }

    public bool Background => false;

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ResponseError? Error { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IncompleteDetails? IncompleteDetails { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Instructions { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? MaxOutputTokens { get; init; }

    public required string Model { get; init; }

    public required IReadOnlyList<ResponseItem> Output { get; init; }

    public bool ParallelToolCalls { get; init; } = true;

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? PreviousResponseId { get; init; }

    public ResponseReasoning Reasoning { get; init; } = new();

    public bool Store { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? Temperature { get; init; }

    public required ResponseText Text { get; init; }

    public required JsonElement ToolChoice { get; init; }

    public required JsonElement Tools { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? TopP { get; init; }

    public string Truncation => "disabled";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ResponseUsage? Usage { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? User { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

public sealed record ResponseError(string Code, string Message);

/// <summary>Why a response stopped short: <c>max_output_tokens</c> (or the context), or <c>content_filter</c>.</summary>
public sealed record IncompleteDetails(string Reason);

public sealed record ResponseUsage(int InputTokens, InputTokensDetails InputTokensDetails, int OutputTokens, OutputTokensDetails OutputTokensDetails, int TotalTokens);

public sealed record InputTokensDetails(int CachedTokens);

public sealed record OutputTokensDetails(int ReasoningTokens);

/// <summary>
/// One item of a conversation, whichever of its fields its type uses: a <c>message</c> (role and content parts), a
/// <c>function_call</c> (call_id, name, arguments), a <c>function_call_output</c> (call_id, output), or <c>reasoning</c>
/// (summary parts).
/// </summary>
public sealed record ResponseItem
{
    public required string Type { get; init; }

    public string? Id { get; init; }

    public string? Status { get; init; }

    public string? Role { get; init; }

    public IReadOnlyList<ContentPart>? Content { get; init; }

    public string? CallId { get; init; }

    public string? Name { get; init; }

    /// <summary>A function call's arguments, a JSON text.</summary>
    public string? Arguments { get; init; }

    /// <summary>A function call's output: its text.</summary>
    public string? Output { get; init; }

    public IReadOnlyList<ContentPart>? Summary { get; init; }

    public static ResponseItem Message(string id, string role, IReadOnlyList<ContentPart> content, string status = "completed") =>
        new() { Type = "message", Id = id, Status = status, Role = role, Content = content };

    public static ResponseItem FunctionCall(string id, string callId, string name, string arguments, string status = "completed") =>
        new() { Type = "function_call", Id = id, Status = status, CallId = callId, Name = name, Arguments = arguments };

    public static ResponseItem FunctionCallOutput(string id, string callId, string output) =>
        new() { Type = "function_call_output", Id = id, Status = "completed", CallId = callId, Output = output };

    public static ResponseItem Reasoning(string id, IReadOnlyList<ContentPart> summary) => new() { Type = "reasoning", Id = id, Summary = summary };
}

/// <summary>A part of a message (<c>input_text</c>, <c>output_text</c>) or of a reasoning summary (<c>summary_text</c>).</summary>
public sealed record ContentPart(string Type, string Text)
{
    /// <summary>An output_text part's annotations: always empty here, and always present as OpenAI writes it.</summary>
    public IReadOnlyList<JsonElement>? Annotations { get; init; }

    public IReadOnlyList<JsonElement>? Logprobs { get; init; }

    public static ContentPart InputText(string text) => new("input_text", text);

    public static ContentPart OutputText(string text) => new("output_text", text) { Annotations = [], Logprobs = [] };

    public static ContentPart SummaryText(string text) => new("summary_text", text);
}

/// <summary><c>DELETE /v1/responses/{id}</c>'s answer.</summary>
public sealed record ResponseDeleted(string Id)
{
    public string Object => "response";

    public bool Deleted => true;
}

/// <summary><c>GET /v1/responses/{id}/input_items</c>: a page of the request's input items.</summary>
public sealed record ResponseItemList(
    IReadOnlyList<ResponseItem> Data,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FirstId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LastId,
    bool HasMore)
{
    public string Object => "list";
}

/// <summary>One streamed event, whichever of its fields its type uses; every event carries its sequence number.</summary>
public sealed record ResponseEvent(string Type, int SequenceNumber)
{
    public ResponseObject? Response { get; init; }

    public int? OutputIndex { get; init; }

    public string? ItemId { get; init; }

    public ResponseItem? Item { get; init; }

    public int? ContentIndex { get; init; }

    public int? SummaryIndex { get; init; }

    public ContentPart? Part { get; init; }

    public string? Delta { get; init; }

    public string? Text { get; init; }

    public string? Arguments { get; init; }

    public string? Name { get; init; }

    public IReadOnlyList<JsonElement>? Logprobs { get; init; }

    public string? Code { get; init; }

    public string? Message { get; init; }

    public string? Param { get; init; }
}
