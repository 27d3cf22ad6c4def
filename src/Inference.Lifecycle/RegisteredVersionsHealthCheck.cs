using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Inference.Lifecycle;

/// <summary>
/// Readiness of the versions registered at run time: not ready until the registry has been read and every version in
/// it is served here (loaded, or its load failed and is reported on the version), so that a ready service answers for
/// every model its registry lists. While the database does not answer this is only Degraded: the models configured
/// here are served, and the registered ones follow as soon as it does.
/// </summary>
internal sealed class RegisteredVersionsHealthCheck(MetadataState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => Task.FromResult(
        state.IsRouted ? HealthCheckResult.Healthy("Every registered version is served.")
        : state.LastError is { } error ? HealthCheckResult.Degraded($"The registry cannot be read ({error}); registered versions are served once it can.")
        : HealthCheckResult.Unhealthy("Registered versions are being loaded."));
}
