using System.Text.Json.Serialization;

namespace Inference.Serving.Caching;

/// <summary>One input's cache entry: its vector and, when known, the tokens it took.</summary>
internal sealed record CachedEmbedding(float[] Vector, long? InputTokens, string? ModelId, DateTimeOffset? CreatedAt, bool Truncated = false);

[JsonSerializable(typeof(CachedEmbedding))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class CachedEmbeddingJsonContext : JsonSerializerContext;
