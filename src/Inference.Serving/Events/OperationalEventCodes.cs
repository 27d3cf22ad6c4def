namespace Inference.Serving.Events;

/// <summary>The codes of operational events.</summary>
public static class OperationalEventCodes
{
    /// <summary>The service is starting.</summary>
    public const string Startup = "startup";

    public const string ModelLoading = "model.loading";

    /// <summary>A model is ready for inference (with the load's duration).</summary>
    public const string ModelLoaded = "model.loaded";

    public const string ModelLoadFailed = "model.load_failed";

    public const string ModelUnloaded = "model.unloaded";

    /// <summary>The HTTP services are starting.</summary>
    public const string ServicesInit = "services.init";

    /// <summary>Ready to accept requests.</summary>
    public const string ServerReady = "server.ready";

    public const string ServerStopping = "server.stopping";

    /// <summary>The service's health (healthy, degraded, unhealthy) changed.</summary>
    public const string HealthChanged = "health.changed";

    public const string CacheUnavailable = "cache.unavailable";
    public const string CacheRestored = "cache.restored";

    public const string MetadataUnavailable = "metadata.unavailable";
    public const string MetadataRestored = "metadata.restored";

    /// <summary>A provider endpoint's circuit breaker opened (calls to it stop for a while).</summary>
    public const string CircuitOpened = "circuit.opened";

    public const string CircuitClosed = "circuit.closed";
}
