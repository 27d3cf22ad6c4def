namespace Inference.Metadata.Registry;

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
    IReadOnlyList<string> Fallbacks);
