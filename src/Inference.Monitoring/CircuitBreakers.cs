using System.Diagnostics.Metrics;
using Inference.Serving.Catalog;
using Inference.Serving.Routing;

namespace Inference.Monitoring;

/// <summary>
/// The providers' circuit breakers (<see cref="ProviderCircuitBreakers"/>, one per endpoint) as monitoring reads them:
/// each endpoint's state, and the <c>ml_inference_circuit_breaker_state</c> measurements, one per model it serves.
/// </summary>
public sealed class CircuitBreakers(ProviderCircuitBreakers breakers, ModelCatalog catalog)
{
    /// <summary>Each endpoint with a breaker, with its state now.</summary>
    public IReadOnlyDictionary<string, CircuitState> States =>
        breakers.All.ToDictionary(b => b.Endpoint, b => b.State, StringComparer.Ordinal);

    /// <summary>The models an endpoint's breaker guards (the first, for alerts), or null when it guards none yet.</summary>
    public string? ModelOf(string endpoint) => breakers.Find(endpoint)?.Models.FirstOrDefault();

    /// <summary>
    /// Every model's breaker state: models whose endpoint has no breaker yet (no call went out) as closed, where every
    /// breaker starts, so the gauge exists from the start.
    /// </summary>
    internal IEnumerable<Measurement<int>> Measurements()
    {
        foreach (var model in catalog.Models)
        {
            var endpoint = ProviderCircuitBreakers.EndpointOf(model);
            if (model.Endpoint is null && breakers.Find(endpoint) is null)
            {
                continue; // in-process models report once they have been called
            }

            yield return new Measurement<int>(
                (int)(breakers.Find(endpoint)?.State ?? CircuitState.Closed),
                new KeyValuePair<string, object?>("client", endpoint),
                new KeyValuePair<string, object?>("model", model.Id));
        }
    }
}
