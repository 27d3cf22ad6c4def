using Inference.Serving.Caching;
using Inference.Serving.Catalog;
using Inference.Serving.Draining;
using Inference.Serving.Events;
using Inference.Serving.Local;
using Inference.Serving.Remote;
using Inference.Serving.Routing;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How a host adds the serving core: one call (<see cref="AddInferenceServing"/>) registers the catalog, the response
/// cache, routing, remote and local models and draining, each configured from its section and validated at start.
/// </summary>
public static class InferenceServiceExtensions
{
    /// <summary>
    /// The serving core: remote models and the local models of <paramref name="localKinds"/> (none when empty), routed,
    /// cached and audited behind <see cref="Inference.Serving.InferenceService"/>.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceServing(this IHostApplicationBuilder builder, params ModelKind[] localKinds)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Operational events first: its start is the service's first event, before any model loads.
        builder.Services.TryAddSingleton<OperationalEvents>();
        builder.Services.TryAddSingleton<IOperationalEventStore, MemoryOperationalEventStore>();
        builder.Services.AddHostedService<OperationalEventsLifetime>();
        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddResponseCache().AddModelRouting().AddRemoteModels().AddLocalModels(localKinds).AddDraining();
        builder.Services.AddOptions<BackpressureOptions>()
            .BindConfiguration(BackpressureOptions.SectionName)
            .Validate(o => o.BackpressureWarning is > 0 and <= 1 && o.BackpressureCritical >= o.BackpressureWarning && o.BackpressureCritical <= 1,
                "Inference:Monitoring:BackpressureWarning and BackpressureCritical must be between 0 and 1, warning first.")
            .ValidateOnStart();
        builder.Services.AddOptions<TelemetryContentOptions>()
            .BindConfiguration(TelemetryContentOptions.SectionName)
            .PostConfigure(o => o.IncludeContent |= string.Equals(
                builder.Configuration["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"], "true", StringComparison.OrdinalIgnoreCase));
        builder.Services.AddOptions<Inference.Serving.Safety.SafetyOptions>().BindConfiguration(Inference.Serving.Safety.SafetyOptions.SectionName);

        return builder;
    }

    /// <summary>
    /// The kinds of model a gateway serves itself: every kind, less those served by the Worker (chat) and Embeddings
    /// (embeddings and classifiers) services an AppHost references (<c>services:worker</c>, <c>services:embeddings</c>).
    /// </summary>
    public static ModelKind[] KindsNoReferencedServiceServes(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var discovery = builder.Configuration.GetSection("Inference:Discovery").Get<ServiceDiscoveryOptions>() ?? new();
        var referenced = RemoteModelRegistrar.ReferencedServices(builder.Configuration, discovery)
            .SelectMany(s => s.Provider == "worker" ? [ModelKind.Chat] : new[] { ModelKind.Embedding, ModelKind.Classification });
        return [.. new[] { ModelKind.Chat, ModelKind.Embedding, ModelKind.Classification }.Except(referenced)];
    }

    /// <summary>
    /// The response cache: Redis from <c>ConnectionStrings:cache</c> (Aspire's name for it), else in memory; wrapped so
    /// that an unreachable Redis degrades to no caching.
    /// </summary>
    private static IHostApplicationBuilder AddResponseCache(this IHostApplicationBuilder builder)
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

    /// <summary>
    /// Turns the response cache off unless <c>Inference:Cache:Enabled</c> is configured: for a service behind a gateway
    /// that caches answers itself, where a second cache would only hold the same answers twice.
    /// </summary>
    public static IHostApplicationBuilder CacheOnlyWhenConfigured(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration[$"{ResponseCacheOptions.SectionName}:{nameof(ResponseCacheOptions.Enabled)}"] is null)
        {
            builder.Services.Configure<ResponseCacheOptions>(o => o.Enabled = false);
        }

        return builder;
    }

    /// <summary>Model routing (versions, traffic splits, fallbacks) and a circuit breaker per provider endpoint (<c>Inference:Routing</c>).</summary>
    private static IHostApplicationBuilder AddModelRouting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RoutingOptions>()
            .BindConfiguration(RoutingOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero, "Inference:Routing:AttemptTimeout must be positive.")
            .Validate(o => o.MaxRetryDelay >= TimeSpan.Zero, "Inference:Routing:MaxRetryDelay must not be negative.")
            .Validate(o => o.RefreshInterval > TimeSpan.Zero, "Inference:Routing:RefreshInterval must be positive.")
            .Validate(o => o.CircuitBreaker.SamplingDuration >= TimeSpan.FromMilliseconds(500), "Inference:Routing:CircuitBreaker:SamplingDuration must be at least 0.5 s.")
            .Validate(o => o.CircuitBreaker.BreakDuration >= TimeSpan.FromMilliseconds(500), "Inference:Routing:CircuitBreaker:BreakDuration must be at least 0.5 s.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ModelRouter>();
        builder.Services.TryAddSingleton<ProviderCircuitBreakers>();
        builder.Services.TryAddSingleton<Inference.Serving.InferenceService>();
        return builder;
    }

    /// <summary>Serves the models configured under <c>Inference:Remote</c> through their providers.</summary>
    private static IHostApplicationBuilder AddRemoteModels(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RemoteModelsOptions>().BindConfiguration("Inference");
        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.AddHttpClient();

        // The providers' calls are retried, timed and broken per request by the routing layer (one attempt budget over a
        // model and its fallbacks, a breaker per endpoint); the standard handler's retries would multiply attempts and
        // delay every fallback, and its timeouts would cut long generations.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked for evaluation; it is the documented way to opt one client out.
        builder.Services.AddHttpClient(RemoteModelFactory.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.TryAddSingleton<RemoteModelFactory>();
        builder.Services.TryAddSingleton<RemoteHttp>();
        builder.Services.TryAddSingleton<WorkerReplicaSets>();
        builder.Services.TryAddSingleton<WorkerReplicaClient>();
        builder.Services.TryAddSingleton<ModelForwarding>();
        builder.Services.AddHostedService<RemoteModelRegistrar>();
        return builder;
    }

    /// <summary>
    /// Serves local models in-process through the engines the host registered (each engine's <c>AddXxxEngine()</c>
    /// adds its model format): binds <c>Inference</c> configuration, loads the models at start, and adds the "models"
    /// readiness check.
    /// </summary>
    private static IHostApplicationBuilder AddLocalModels(this IHostApplicationBuilder builder, params ModelKind[] kinds)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<LocalModelsOptions>().BindConfiguration(LocalModelsOptions.SectionName)
            .PostConfigure(o => o.Kinds = [.. kinds]);

        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.TryAddSingleton<LocalModelFactory>();
        builder.Services.TryAddSingleton<LoadedModels>();
        builder.Services.AddOptions<ResidencyOptions>()
            .BindConfiguration(ResidencyOptions.SectionName)
            .Validate(o => o.KeepAlive is null || KeepAlive.TryParse(o.KeepAlive, out _), "Inference:Residency:KeepAlive must be a duration such as 5m, 30s or -1.")
            .Validate(o => o.MemoryBudgetBytes is null or > 0, "Inference:Residency:MemoryBudgetBytes must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ModelResidency>();
        builder.Services.AddHostedService<LocalModelLoader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelResidency>());
        builder.Services.AddHealthChecks().AddCheck<ModelsReadyHealthCheck>("models", tags: [Inference.Serving.HealthTags.Ready]);
        return builder;
    }

    /// <summary>Draining on shutdown: unready, new inference requests refused (503, <c>Retry-After</c>), accepted ones waited for.</summary>
    private static IHostApplicationBuilder AddDraining(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DrainingOptions>()
            .BindConfiguration(DrainingOptions.SectionName)
            .Validate(o => o.Timeout >= TimeSpan.Zero, "Inference:Draining:Timeout must not be negative.")
            .Validate(o => o.RetryAfter >= TimeSpan.FromSeconds(1), "Inference:Draining:RetryAfter must be at least one second.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<DrainState>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DrainOnShutdown>());
        builder.Services.AddHealthChecks().AddCheck<DrainingHealthCheck>("draining", tags: [Inference.Serving.HealthTags.Ready]);
        return builder;
    }
}
