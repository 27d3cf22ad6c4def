using Inference.Serving.Catalog;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Inference.Serving.Local;

/// <summary>Ready once the models are loaded; reports each model's queue depth.</summary>
internal sealed class ModelsReadyHealthCheck(ModelCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!catalog.IsReady)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Models are loading."));
        }

        var data = catalog.Models.ToDictionary(m => m.Id, m => (object)(m.QueueDepth?.Invoke() ?? 0));
        return Task.FromResult(HealthCheckResult.Healthy($"{data.Count} models loaded.", data));
    }
}
