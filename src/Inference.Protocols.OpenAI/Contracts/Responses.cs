using System.Text.Json.Serialization;
using Inference.Serving.Catalog;

namespace Inference.Protocols.OpenAI.Contracts;

/// <param name="PromptTokensDetails">How many prompt tokens were served from cache (a reused prefix), when the engine says.</param>
/// <param name="CompletionTokensDetails">How many completion tokens the model spent reasoning, when it reasoned.</param>
public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens, PromptTokensDetails? PromptTokensDetails = null, CompletionTokensDetails? CompletionTokensDetails = null);

public sealed record PromptTokensDetails(int CachedTokens);

public sealed record CompletionTokensDetails(int ReasoningTokens);

public sealed record ChatCompletion(string Id, long Created, string Model, IReadOnlyList<ChatChoice> Choices, Usage Usage)
{
    public string Object => "chat.completion";
}

public sealed record ChatChoice(int Index, ChatMessageResponse Message, string? FinishReason);

/// <param name="Content">The text; null (and written as null) when the message is only tool calls.</param>
public sealed record ChatMessageResponse(
    string Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Content,
    IReadOnlyList<ToolCall>? ToolCalls = null,
    string? ReasoningContent = null);

public sealed record ToolCall(string Id, FunctionCall Function)
{
    public string Type => "function";
}

/// <param name="Arguments">A JSON text.</param>
public sealed record FunctionCall(string Name, string Arguments);

/// <summary>A streamed piece of a tool call: id, type and name with the first piece, then arguments.</summary>
public sealed record ToolCallDelta(int Index, string? Id = null, string? Type = null, FunctionCallDelta? Function = null);

public sealed record FunctionCallDelta(string? Name = null, string? Arguments = null);

public sealed record ChatCompletionChunk(string Id, long Created, string Model, IReadOnlyList<ChatChunkChoice> Choices, Usage? Usage = null)
{
    public string Object => "chat.completion.chunk";
}

public sealed record ChatChunkChoice(
    int Index,
    ChatDelta Delta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

public sealed record ChatDelta(string? Role = null, string? Content = null, IReadOnlyList<ToolCallDelta>? ToolCalls = null, string? ReasoningContent = null);

public sealed record TextCompletion(string Id, long Created, string Model, IReadOnlyList<TextChoice> Choices, Usage? Usage = null)
{
    public string Object => "text_completion";
}

public sealed record TextChoice(
    string Text,
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

public sealed record EmbeddingList(IReadOnlyList<EmbeddingItem> Data, string Model, EmbeddingUsage Usage)
{
    public string Object => "list";
}

/// <param name="Embedding">A float array, or a base64 string of little-endian float32 values.</param>
public sealed record EmbeddingItem(int Index, object Embedding)
{
    public string Object => "embedding";
}

public sealed record EmbeddingUsage(int PromptTokens, int TotalTokens);

public sealed record ModelList(IReadOnlyList<ModelInfo> Data)
{
    public string Object => "list";
}

/// <param name="Capabilities">Our extension: what the model can do and how big it is (OpenAI clients ignore it).</param>
/// <param name="QueueDepth">Our extension: requests waiting for the model, when its provider queues them.</param>
/// <param name="RequestsTotal">Our extension: requests the model has run since it was loaded, when its provider counts them.</param>
/// <param name="QueueMetrics">Our extension: a local model's queue now (waiting, running, capacity).</param>
/// <param name="BackpressureStatus">Our extension: healthy, warning or critical, and the queue's utilisation.</param>
public sealed record ModelInfo(
    string Id, long Created, string OwnedBy, ModelCapabilities? Capabilities = null, int? QueueDepth = null, long? RequestsTotal = null,
    Inference.Serving.Catalog.QueueMetrics? QueueMetrics = null, Inference.Serving.Catalog.Backpressure? BackpressureStatus = null)
{
    public string Object => "model";
}
