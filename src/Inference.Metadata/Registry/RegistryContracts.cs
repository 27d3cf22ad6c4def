using System.Text.Json;
using Inference.Engines;
using Inference.Metadata.Data;

namespace Inference.Metadata.Registry;

// What GET /api/models, /api/models/{id} and /api/models/{id}/versions return.

public sealed record RegisteredModelResponse(
    string Id,
    string Kind,
    string Task,
    string Provider,
    RegisteredCapabilities Capabilities,
    IReadOnlyList<string> Fallbacks,
    string? DefaultVersion,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Labels)
{
    internal static RegisteredModelResponse From(RegisteredModel m) => new(
        m.Id,
        m.Kind,
        ModelKindNames.TaskOf(ModelKindNames.Parse(m.Kind) ?? ModelKind.Chat),
        m.Provider,
        new RegisteredCapabilities(m.ContextLength, m.ParameterCount, m.Quantization, m.ChatTemplate, m.EmbeddingLength),
        JsonSerializer.Deserialize(m.Fallbacks, MetadataJsonContext.Default.ListString) ?? [],
        m.Versions.FirstOrDefault(v => v.IsDefault)?.Version,
        m.Created,
        m.Updated,
        LabelsOf(m.Versions.FirstOrDefault(v => v.IsDefault)));

    /// <summary>A classifier's labels, as recorded with its version's configuration.</summary>
    private static IReadOnlyList<string>? LabelsOf(ModelVersion? version) =>
        version is null ? null : JsonSerializer.Deserialize(version.Configuration, MetadataJsonContext.Default.VersionConfiguration)?.Labels;
}

public sealed record RegisteredCapabilities(int? ContextLength, long? ParameterCount, string? Quantization, string? ChatTemplate, int? EmbeddingLength);

public sealed record ModelVersionResponse(string Version, DateTimeOffset Created, bool IsDefault, bool Deprecated, JsonElement Configuration)
{
    internal static ModelVersionResponse From(ModelVersion v) =>
        new(v.Version, v.Created, v.IsDefault, v.Deprecated, JsonDocument.Parse(v.Configuration).RootElement.Clone());
}
