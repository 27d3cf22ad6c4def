using Inference.Serving.Catalog;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Local;

/// <summary>Ready once the models are loaded; reports each model's queue and backpressure.</summary>
internal sealed class ModelsReadyHealthCheck(ModelCatalog catalog, IOptions<BackpressureOptions> backpressure) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!catalog.IsReady)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Models are loading."));
        }

        var data = catalog.Models.ToDictionary(m => m.Id, m => (object)ModelReadiness.Of(m, backpressure.Value));
        return Task.FromResult(HealthCheckResult.Healthy($"{data.Count} models loaded.", data));
    }
}
