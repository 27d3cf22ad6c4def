using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Inference.Engines;
using Inference.Serving.Catalog;

namespace Inference.Lifecycle.Registry;

/// <summary>What serves a model, as recorded with each version: any change here is a new version.</summary>
internal sealed record VersionConfiguration(
    string Provider,
    string Kind,
    string Source,
    int? ContextLength,
    long? ParameterCount,
    string? Quantization,
    string? ChatTemplate,
    int? EmbeddingLength,
    IReadOnlyList<string> Fallbacks,
    // Left out of the stored JSON when null, so models recorded before classifiers keep their configuration hash.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Labels = null)
{
    /// <summary>How the registry names a kind: chat, embedding or classification.</summary>
    public static string KindOf(ModelKind kind) => ModelKindNames.Of(kind);

    /// <summary>The configuration of a served model, under <paramref name="provider"/> with <paramref name="fallbacks"/>.</summary>
    public static VersionConfiguration Of(ServedModel model, string provider, IReadOnlyList<string> fallbacks) => new(
        provider,
        KindOf(model.Kind),
        model.Source,
        model.ContextLength,
        model.ParameterCount,
        model.Quantization,
        model.ChatTemplate,
        model.Dimensions,
        fallbacks,
        model.Labels);

    /// <summary>The configuration as it is stored, and its SHA-256, which tells whether it changed.</summary>
    public (string Json, string Hash) Serialize()
    {
        var json = JsonSerializer.Serialize(this, LifecycleJsonContext.Default.VersionConfiguration);
        return (json, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))));
    }
}
