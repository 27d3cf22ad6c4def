using System.Text.Json;
using Inference.Engines;
using System.Text.Json.Serialization;
using Inference.Storage.Data;

namespace Inference.Lifecycle.Registry;

// What GET /api/models, /api/models/{id} and /api/models/{id}/versions return.

/// <summary>
/// A registered model, with the model fields service-to-service clients read: <c>model_id</c>, <c>name</c>, <c>provider</c>,
/// <c>capabilities</c> (what it does: its task, and tool calling or grammars for chat models), <c>versions</c>,
/// <c>parameters</c> (<c>max_tokens</c>, the context it reads, and what its files say) and <c>fallbacks</c>.
/// </summary>
public sealed record RegisteredModelResponse(
    string Id,
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("name")] string Name,
    string Kind,
    string Task,
    string Provider,
    [property: JsonPropertyName("capabilities")] IReadOnlyList<string> Capabilities,
    [property: JsonPropertyName("parameters")] RegisteredParameters Parameters,
    [property: JsonPropertyName("versions")] IReadOnlyList<ModelVersionResponse> Versions,
    IReadOnlyList<string> Fallbacks,
    string? DefaultVersion,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Labels)
{
    internal static RegisteredModelResponse From(RegisteredModel m)
    {
        var kind = ModelKindNames.Parse(m.Kind) ?? ModelKind.Chat;
        return new(
            m.Id,
            m.Id,
            m.Id,
            m.Kind,
            ModelKindNames.TaskOf(kind),
            m.Provider,
            CapabilitiesOf(kind, m.Provider),
            new RegisteredParameters(m.ContextLength, m.ContextLength, m.ParameterCount, m.Quantization, m.ChatTemplate, m.EmbeddingLength),
            [.. m.Versions.OrderBy(v => v.Id).Select(ModelVersionResponse.From)],
            JsonSerializer.Deserialize(m.Fallbacks, LifecycleJsonContext.Default.ListString) ?? [],
            m.Versions.FirstOrDefault(v => v.IsDefault)?.Version,
            m.Created,
            m.Updated,
            LabelsOf(m.Versions.FirstOrDefault(v => v.IsDefault)));
    }

    /// <summary>What the model does: its task; a chat model calls tools, and is held to grammars unless Ollama runs it (it takes none).</summary>
    private static List<string> CapabilitiesOf(ModelKind kind, string provider) =>
        kind != ModelKind.Chat ? [ModelKindNames.TaskOf(kind)]
        : provider == "ollama" ? [ModelKindNames.TaskOf(kind), "tool-calling"]
        : [ModelKindNames.TaskOf(kind), "tool-calling", "grammar-constrained"];

    /// <summary>A classifier's labels, as recorded with its version's configuration.</summary>
    private static IReadOnlyList<string>? LabelsOf(ModelVersion? version) =>
        version is null ? null : JsonSerializer.Deserialize(version.Configuration, LifecycleJsonContext.Default.VersionConfiguration)?.Labels;
}

/// <summary>A model's parameters: the tokens it reads at most (prompt and answer: <c>max_tokens</c>), and what its files say.</summary>
public sealed record RegisteredParameters(
    [property: JsonPropertyName("max_tokens")] int? MaxTokens,
    [property: JsonPropertyName("context_length")] int? ContextLength,
    [property: JsonPropertyName("parameter_count")] long? ParameterCount,
    [property: JsonPropertyName("quantization")] string? Quantization,
    [property: JsonPropertyName("chat_template")] string? ChatTemplate,
    [property: JsonPropertyName("embedding_length")] int? EmbeddingLength);

/// <summary>A version, with the fields clients read (<c>version</c>, <c>created_at</c>, <c>deprecated</c>, <c>default</c>, <c>configuration</c>).</summary>
public sealed record ModelVersionResponse(
    string Version,
    DateTimeOffset Created,
    bool IsDefault,
    bool Deprecated,
    JsonElement Configuration)
{
    [JsonPropertyName("created_at")]
    public DateTimeOffset CreatedAt => Created;

    [JsonPropertyName("default")]
    public bool Default => IsDefault;

    internal static ModelVersionResponse From(ModelVersion v) =>
        new(v.Version, v.Created, v.IsDefault, v.Deprecated, JsonDocument.Parse(v.Configuration).RootElement.Clone());
}
