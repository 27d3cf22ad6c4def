using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Caching;

/// <summary>The response cache in a model's pipeline, when the cache is enabled.</summary>
internal static class ResponseCacheExtensions
{
    /// <summary>Caches embeddings (always deterministic) per input and model when the cache is enabled.</summary>
    internal static EmbeddingGeneratorBuilder<string, Embedding<float>> UseResponseCache(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, string modelId) =>
        builder.Use((inner, services) =>
            services.GetRequiredService<IOptions<ResponseCacheOptions>>().Value.Enabled
                ? new CachingEmbeddingGenerator(inner, services.GetRequiredService<ResilientDistributedCache>(), modelId)
                : inner);

    /// <summary>Adds deterministic response caching to a model's pipeline when the cache is enabled.</summary>
    internal static ChatClientBuilder UseResponseCache(this ChatClientBuilder builder, string modelId) =>
        builder.Use((inner, services) =>
            services.GetRequiredService<IOptions<ResponseCacheOptions>>().Value.Enabled
                ? new DeterministicCachingChatClient(inner, services.GetRequiredService<ResilientDistributedCache>(), modelId)
                : inner);
}
