using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Inference.Serving.Local;

namespace Inference.Serving.Routing;

/// <summary>
/// The control plane's metrics (meter <c>Inference.Routing</c>): <c>ml_inference_fallbacks_total</c> (requests a
/// fallback answered, by the model chosen and the fallback), <c>ml_inference_traffic_share</c> (each side of a canary
/// or A/B test, by model, target, experiment and arm), <c>ml_inference_model_loaded</c> and
/// <c>ml_inference_model_loaded_bytes</c> (the local models in memory).
/// </summary>
public static class RoutingTelemetry
{
    public const string MeterName = "Inference.Routing";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<ModelRouter, byte> Routers = new();
    private static readonly ConcurrentDictionary<ModelResidency, byte> Residencies = new();

    public static Counter<long> Fallbacks { get; } = Meter.CreateCounter<long>("ml_inference_fallbacks", "{request}", "Requests a fallback answered, by the model chosen and the fallback.");

    static RoutingTelemetry()
    {
        Meter.CreateObservableGauge(
            "ml_inference_traffic_share",
            () => Routers.Keys.SelectMany(r => r.Table.Routes).SelectMany(route => route.Shares.Select(s => new Measurement<double>(
                s.Weight,
                new("model", route.Name), new("target", s.Target), new("experiment", s.Experiment), new("arm", s.Arm)))),
            "1",
            "The share of a model's requests each side of a canary deployment or A/B test gets.");
        Meter.CreateObservableGauge(
            "ml_inference_model_loaded",
            () => Residencies.Keys.SelectMany(r => r.Models).Select(m => new Measurement<int>(m.IsLoaded ? 1 : 0, new KeyValuePair<string, object?>("model", m.Id))),
            description: "1 while a local model is in memory, 0 while it is unloaded.");
        Meter.CreateObservableGauge(
            "ml_inference_model_loaded_bytes",
            () => Residencies.Keys.SelectMany(r => r.Models).Where(m => m.IsLoaded).Select(m => new Measurement<long>(m.SizeBytes, new KeyValuePair<string, object?>("model", m.Id))),
            "By",
            "The weights a loaded local model holds.");
    }

    internal static void Observe(ModelRouter router) => Routers.TryAdd(router, 0);

    internal static void Observe(ModelResidency residency) => Residencies.TryAdd(residency, 0);

    internal static void Forget(ModelResidency residency) => Residencies.TryRemove(residency, out _);
}
