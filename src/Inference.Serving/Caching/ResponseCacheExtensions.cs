using Inference.Serving.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class ResponseCacheExtensions
{
    /// <summary>
    /// The response cache: Redis from <c>ConnectionStrings:cache</c> (Aspire's name for it), else in memory; wrapped so
    /// that an unreachable Redis degrades to no caching.
    /// </summary>
    public static IHostApplicationBuilder AddResponseCache(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var redis = builder.Configuration.GetConnectionString(ResponseCacheOptions.ConnectionName);
        var redisOptions = ParseRedis(redis, out var redisError);
        builder.Services.AddOptions<ResponseCacheOptions>().BindConfiguration(ResponseCacheOptions.SectionName)
            .Validate(o => o.TimeToLive > TimeSpan.Zero, "Inference:Cache:TimeToLive must be positive.")
            .Validate(_ => redisError is null, redisError ?? "")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (redisOptions is not null)
        {
            // Start without Redis and keep trying; fail fast per call so a dead Redis costs little.
            redisOptions.AbortOnConnectFail = false;
            redisOptions.ConnectTimeout = 2000;
            redisOptions.SyncTimeout = 1000;
            redisOptions.AsyncTimeout = 1000;
            builder.Services.AddStackExchangeRedisCache(o => o.ConfigurationOptions = redisOptions);
        }
        else
        {
            builder.Services.AddDistributedMemoryCache();
        }

        builder.Services.TryAddSingleton(sp => new ResilientDistributedCache(
            sp.GetRequiredService<IDistributedCache>(),
            sp.GetRequiredService<IOptions<ResponseCacheOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ResilientDistributedCache>>()));
        builder.Services.AddHealthChecks().AddCheck<ResponseCacheHealthCheck>("cache");
        return builder;
    }

    /// <summary>
    /// Redis settings from the connection string; a malformed one is reported by options validation at start, so it
    /// ends the start with one line like every other setting.
    /// </summary>
    private static ConfigurationOptions? ParseRedis(string? connectionString, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(connectionString))
        {
            return null;
        }

        try
        {
            return ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            error = $"ConnectionStrings:{ResponseCacheOptions.ConnectionName} is not a Redis connection string ({ex.Message}).";
            return null;
        }
    }

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
