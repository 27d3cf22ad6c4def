using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Inference.Monitoring.Alerts;
using Inference.Monitoring.Services;
using Inference.Serving.Catalog;

namespace Inference.Monitoring;

/// <summary>What the sampler last found, read by the gauges, the alerts endpoint and the dashboard.</summary>
public sealed class MonitoringState(CircuitBreakers breakers)
{
    private readonly ConcurrentDictionary<string, (string Provider, bool Up)> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Backpressure> _backpressure = new(StringComparer.Ordinal);
    private volatile ServicesSnapshot? _snapshot;
    private volatile ActiveAlerts _alerts = new(null, []);

    public double MemoryUsagePercent { get; private set; } = MemoryUsage.Percent();

    /// <summary>100 until the first sample.</summary>
    public double HealthScore { get; private set; } = 100;

    public CircuitBreakers CircuitBreakers => breakers;

    /// <summary>The last sample of every service and model; null before the first.</summary>
    public ServicesSnapshot? Snapshot => _snapshot;

    public ActiveAlerts Alerts => _alerts;

    internal void Update(ServicesSnapshot snapshot, double memoryPercent, double healthScore, ActiveAlerts alerts)
    {
        MemoryUsagePercent = memoryPercent;
        HealthScore = healthScore;
        foreach (var model in snapshot.Services.SelectMany(s => s.Models))
        {
            _models[model.Name] = (model.Provider, model.Status != ModelStatus.Offline);
            if (model.Backpressure is { } pressure)
            {
                _backpressure[model.Name] = pressure;
            }
        }

        _snapshot = snapshot;
        _alerts = alerts;
    }

    internal IEnumerable<Measurement<int>> CircuitBreakerMeasurements() =>
        breakers.Measurements();

    internal IEnumerable<Measurement<int>> ModelUpMeasurements() => _models.Select(m => new Measurement<int>(
        m.Value.Up ? 1 : 0, new KeyValuePair<string, object?>("model", m.Key), new KeyValuePair<string, object?>("provider", m.Value.Provider)));

    internal IEnumerable<Measurement<double>> BackpressureMeasurements() =>
        _backpressure.Select(m => new Measurement<double>(m.Value.Utilization, new KeyValuePair<string, object?>("model", m.Key)));

    /// <summary>Each model's backpressure level: 0 healthy, 1 warning, 2 critical.</summary>
    internal IEnumerable<Measurement<int>> BackpressureLevelMeasurements() =>
        _backpressure.Select(m => new Measurement<int>(
            m.Value.Level switch { Backpressure.Critical => 2, Backpressure.Warning => 1, _ => 0 },
            new KeyValuePair<string, object?>("model", m.Key)));
}
