using System.Text.Json;
using Inference.Metadata.Data;

namespace Inference.Metadata.Registry;

// What GET /api/models, /api/models/{id} and /api/models/{id}/versions return.

public sealed record RegisteredModelResponse(
    string Id,
    string Kind,
    string Provider,
    RegisteredCapabilities Capabilities,
    IReadOnlyList<string> Fallbacks,
    string? DefaultVersion,
    DateTimeOffset Created,
    DateTimeOffset Updated)
{
    internal static RegisteredModelResponse From(RegisteredModel m) => new(
        m.Id,
        m.Kind,
        m.Provider,
        new RegisteredCapabilities(m.ContextLength, m.ParameterCount, m.Quantization, m.ChatTemplate, m.EmbeddingLength),
        JsonSerializer.Deserialize(m.Fallbacks, MetadataJsonContext.Default.ListString) ?? [],
        m.Versions.FirstOrDefault(v => v.IsDefault)?.Version,
        m.Created,
        m.Updated);
}

public sealed record RegisteredCapabilities(int? ContextLength, long? ParameterCount, string? Quantization, string? ChatTemplate, int? EmbeddingLength);

public sealed record ModelVersionResponse(string Version, DateTimeOffset Created, bool IsDefault, bool Deprecated, JsonElement Configuration)
{
    internal static ModelVersionResponse From(ModelVersion v) =>
        new(v.Version, v.Created, v.IsDefault, v.Deprecated, JsonDocument.Parse(v.Configuration).RootElement.Clone());
}
