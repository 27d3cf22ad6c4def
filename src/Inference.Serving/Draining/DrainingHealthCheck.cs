using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Inference.Serving.Draining;

/// <summary>Readiness: a draining service takes no traffic.</summary>
internal sealed class DrainingHealthCheck(DrainState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.IsDraining
            ? HealthCheckResult.Unhealthy($"Draining for shutdown: {state.InFlight} accepted requests still running.")
            : HealthCheckResult.Healthy("Taking requests."));
}
