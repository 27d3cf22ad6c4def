using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Inference.Serving.Caching;

/// <summary>Degraded, not unhealthy, while the cache is bypassed: requests still succeed without it.</summary>
internal sealed class ResponseCacheHealthCheck(ResilientDistributedCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cache.IsAvailable
            ? HealthCheckResult.Healthy("The response cache is in use.")
            : HealthCheckResult.Degraded("The response cache failed recently and is bypassed."));
}
