using System.Text.Json;

namespace Inference.Protocols.Ollama;

// Ollama's request and response shapes (https://github.com/ollama/ollama/blob/main/docs/api.md), snake_case on the wire.

public sealed record OllamaOptions
{
    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public double? MinP { get; init; }

    public long? Seed { get; init; }

    /// <summary>Tokens to generate; -1 (or absent) means until the model stops or the context is full.</summary>
    public int? NumPredict { get; init; }

    public List<string>? Stop { get; init; }

    public double? RepeatPenalty { get; init; }

    public double? FrequencyPenalty { get; init; }

    public double? PresencePenalty { get; init; }
}

/// <param name="ToolCalls">The calls an assistant message makes (Ollama's shape: no ids, arguments as an object).</param>
/// <param name="ToolName">Which tool a tool message's result comes from.</param>
/// <param name="Thinking">The reasoning an assistant message wrote before its answer (given back, or sent back with the history).</param>
public sealed record OllamaMessage(string? Role, string? Content, List<OllamaToolCall>? ToolCalls = null, string? ToolName = null, string? Thinking = null);

public sealed record OllamaToolCall(OllamaFunctionCall? Function);

public sealed record OllamaFunctionCall(string? Name, JsonElement? Arguments);

/// <param name="Format">"json", or a JSON schema the answer must match.</param>
/// <param name="Tools">Function tools, as OpenAI declares them.</param>
/// <param name="ToolChoice">Our extension (Ollama lets the model decide): OpenAI's tool_choice.</param>
/// <param name="KeepAlive">How long the model stays loaded after this request: "5m", seconds, 0 (unload now), -1 (for ever).</param>
/// <param name="Think">Whether a reasoning model thinks first (true or false), or how much (low, medium, high).</param>
public sealed record OllamaChatRequest(
    string? Model, List<OllamaMessage?>? Messages, bool? Stream, OllamaOptions? Options, JsonElement? Format = null, JsonElement? Tools = null, JsonElement? ToolChoice = null,
    JsonElement? KeepAlive = null, JsonElement? Think = null) : IOllamaModelRequest;

public sealed record OllamaGenerateRequest(
    string? Model, string? Prompt, string? System, bool? Raw, bool? Stream, OllamaOptions? Options, JsonElement? Format = null, JsonElement? KeepAlive = null,
    JsonElement? Think = null) : IOllamaModelRequest;

public sealed record OllamaEmbedRequest(string? Model, JsonElement? Input, JsonElement? KeepAlive = null) : IOllamaModelRequest;

/// <summary>Ollama's older <c>/api/embeddings</c> body: one prompt.</summary>
public sealed record OllamaEmbeddingsRequest(string? Model, string? Prompt, JsonElement? KeepAlive = null) : IOllamaModelRequest;

/// <summary>A request that runs a model: the model it names and how long that model stays loaded after it.</summary>
public interface IOllamaModelRequest
{
    string? Model { get; }

    JsonElement? KeepAlive { get; }
}

/// <summary>Ollama's <c>/api/ps</c>: the models in memory.</summary>
public sealed record OllamaProcesses(List<OllamaProcess> Models);

/// <param name="ExpiresAt">When it unloads if no request comes (far in the future when it is kept for ever).</param>
public sealed record OllamaProcess(string Name, string Model, long Size, string Digest, OllamaModelDetails Details, DateTimeOffset ExpiresAt, long SizeVram, int? ContextLength);

public sealed record OllamaShowRequest(string? Model, string? Name);

public sealed record OllamaChatChunk(
    string Model,
    DateTimeOffset CreatedAt,
    OllamaMessage Message,
    bool Done,
    string? DoneReason = null,
    int? PromptEvalCount = null,
    int? EvalCount = null,
    long? TotalDuration = null);

public sealed record OllamaGenerateChunk(
    string Model,
    DateTimeOffset CreatedAt,
    string Response,
    bool Done,
    string? DoneReason = null,
    int? PromptEvalCount = null,
    int? EvalCount = null,
    long? TotalDuration = null,
    string? Thinking = null);

public sealed record OllamaEmbedResponse(string Model, IReadOnlyList<float[]> Embeddings, int PromptEvalCount);

/// <summary>Ollama's older <c>/api/embeddings</c> answer: the prompt's vector.</summary>
public sealed record OllamaEmbeddingsResponse(float[] Embedding);

public sealed record OllamaModelDetails(string Format, string Family, string ParameterSize, string QuantizationLevel);

public sealed record OllamaModel(string Name, string Model, DateTimeOffset ModifiedAt, long Size, string Digest, OllamaModelDetails Details);

public sealed record OllamaTags(IReadOnlyList<OllamaModel> Models);

public sealed record OllamaShowResponse(string Modelfile, string Parameters, string Template, OllamaModelDetails Details, Dictionary<string, object> ModelInfo, IReadOnlyList<string> Capabilities);

public sealed record OllamaVersion(string Version);

