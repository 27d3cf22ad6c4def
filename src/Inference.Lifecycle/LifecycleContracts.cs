using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Storage.Data;

namespace Inference.Lifecycle;

// Bodies of the registry's write routes and deployments, in snake_case.

/// <summary><c>POST /models/register</c>: the version's model, description, type, framework, tags and performance metrics, plus how to serve a remote version and what to fall back to.</summary>
public sealed record RegisterModelRequest
{
    [JsonPropertyName("name")] public string? Name { get; init; }

    [JsonPropertyName("version")] public string? Version { get; init; }

    /// <summary>
    /// A model folder or file (relative paths from the models directory), loaded here before the version is recorded;
    /// with provider <c>worker</c>, loaded by the name's Worker replicas instead, when a rolling deployment reaches them.
    /// </summary>
    [JsonPropertyName("model_path")] public string? ModelPath { get; init; }

    [JsonPropertyName("description")] public string? Description { get; init; }

    [JsonPropertyName("model_type")] public string? ModelType { get; init; }

    [JsonPropertyName("framework")] public string? Framework { get; init; }

    [JsonPropertyName("tags")] public List<string>? Tags { get; init; }

    [JsonPropertyName("performance_metrics")] public JsonElement? PerformanceMetrics { get; init; }

    /// <summary>For a remote version: worker, embeddings, openai or ollama.</summary>
    [JsonPropertyName("provider")] public string? Provider { get; init; }

    [JsonPropertyName("connection_string")] public string? ConnectionString { get; init; }

    [JsonPropertyName("connection_name")] public string? ConnectionName { get; init; }

    /// <summary>chat, embedding or classification; detected from a local model's files.</summary>
    [JsonPropertyName("kind")] public string? Kind { get; init; }

    [JsonPropertyName("chat_template")] public string? ChatTemplate { get; init; }

    /// <summary>The model's fallback chain (<c>fallbacks</c>), replacing the registered one.</summary>
    [JsonPropertyName("fallbacks")] public List<string>? Fallbacks { get; init; }

    /// <summary>What this version's tokens cost (budgets and cost reports); without it, <c>Inference:Pricing</c>'s price.</summary>
    [JsonPropertyName("pricing")] public VersionPricing? Pricing { get; init; }
}

/// <summary>A version's token prices, in the pricing currency per million tokens.</summary>
public sealed record VersionPricing(
    [property: JsonPropertyName("input_per_million")] decimal? InputPerMillion,
    [property: JsonPropertyName("output_per_million")] decimal? OutputPerMillion);

/// <summary><c>POST /models/{id}/activate</c> and <c>/deprecate</c>: the version, unless the route names it as <c>name:version</c>.</summary>
public sealed record VersionRequest([property: JsonPropertyName("version")] string? Version, [property: JsonPropertyName("deprecated")] bool? Deprecated = null);

public sealed record VersionInfo(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("origin")] string Origin,
    [property: JsonPropertyName("default")] bool IsDefault,
    [property: JsonPropertyName("deprecated")] bool Deprecated,
    [property: JsonPropertyName("served")] bool Served,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("model_path")] string? ModelPath,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("model_type")] string? ModelType,
    [property: JsonPropertyName("framework")] string? Framework,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("performance_metrics")] JsonElement PerformanceMetrics,
    [property: JsonPropertyName("created_at")] DateTimeOffset Created,
    [property: JsonPropertyName("registered_by")] string? RegisteredBy,
    [property: JsonPropertyName("replaced")] string? Replaced,
    [property: JsonPropertyName("activated_at")] DateTimeOffset? ActivatedAt,
    [property: JsonPropertyName("activated_by")] string? ActivatedBy,
    [property: JsonPropertyName("pricing")] VersionPricing? Pricing,
    [property: JsonPropertyName("error")] string? Error)
{
    internal static VersionInfo From(ModelVersion v, bool served, string? error) => new(
        v.ModelId, v.Version, v.Origin, v.IsDefault, v.Deprecated, served, v.Kind, v.Provider, v.Path, v.Description, v.ModelType, v.Framework,
        JsonSerializer.Deserialize(v.Tags, LifecycleJsonContext.Default.ListString) ?? [],
        JsonDocument.Parse(v.PerformanceMetrics).RootElement.Clone(),
        v.Created, v.RegisteredBy, v.Replaced, v.ActivatedAt, v.ActivatedBy,
        v.InputPricePerMillion is null && v.OutputPricePerMillion is null ? null : new VersionPricing(v.InputPricePerMillion ?? 0m, v.OutputPricePerMillion ?? 0m),
        error);
}

/// <summary><c>GET /models/{name}</c>: the model, its active version, its versions, and the lineage of activations.</summary>
public sealed record ModelVersionsResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("active_version")] string? ActiveVersion,
    [property: JsonPropertyName("fallbacks")] IReadOnlyList<string> Fallbacks,
    [property: JsonPropertyName("versions")] IReadOnlyList<VersionInfo> Versions,
    [property: JsonPropertyName("lineage")] IReadOnlyList<LineageEntry> Lineage);

/// <summary><c>GET /models</c>: every model of the registry, each as <c>GET /models/{name}</c> describes it.</summary>
public sealed record ModelListResponse([property: JsonPropertyName("models")] IReadOnlyList<ModelVersionsResponse> Models);

/// <summary>One activation: which version replaced which, when, by whom.</summary>
public sealed record LineageEntry(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("replaced")] string? Replaced,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("by")] string? By);
