using Inference.Serving.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
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
            // Aspire's Redis client integration owns the connection (tracing included); the cache shares it. Start without
            // Redis and keep trying, and fail fast per call so a dead Redis costs little. Its health check is off: a dead
            // Redis makes this service Degraded (ResponseCacheHealthCheck), not Unhealthy.
            builder.AddRedisClient(
                ResponseCacheOptions.ConnectionName,
                settings => settings.DisableHealthChecks = true,
                options =>
                {
                    options.AbortOnConnectFail = false;
                    options.ConnectTimeout = 2000;
                    options.SyncTimeout = 1000;
                    options.AsyncTimeout = 1000;
                });
            builder.Services.AddStackExchangeRedisCache(_ => { });
            builder.Services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((cache, services) =>
                cache.ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));
        }
        else
        {
            builder.Services.AddDistributedMemoryCache();
        }

        builder.Services.TryAddSingleton(sp => new ResilientDistributedCache(
            sp.GetRequiredService<IDistributedCache>(),
            sp.GetRequiredService<IOptions<ResponseCacheOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ResilientDistributedCache>>(),
            sp.GetService<Inference.Serving.Events.OperationalEvents>()));
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
