using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Inference.Monitoring;

/// <summary>
/// The platform's metrics under their <c>ml_inference_*</c> names (meter <c>Inference.Monitoring</c>). In Prometheus's text format
/// counters gain <c>_total</c> and the durations <c>_seconds</c>: <c>ml_inference_requests_total</c>,
/// <c>ml_inference_request_duration_seconds</c>, <c>ml_inference_errors_total</c>, and the gauges
/// <c>ml_inference_circuit_breaker_state</c>, <c>ml_inference_memory_usage_percent</c>,
/// <c>ml_inference_health_score</c>, <c>ml_inference_model_up</c>, <c>ml_inference_backpressure_utilization</c>,
/// <c>ml_inference_backpressure_level</c>.
/// The GenAI semantic conventions' own (<c>gen_ai_client_operation_duration_seconds</c>,
/// <c>gen_ai_client_token_usage</c>) come from Microsoft.Extensions.AI's OpenTelemetry middleware beside them.
/// </summary>
public sealed class MonitoringTelemetry : IDisposable
{
    public const string MeterName = "Inference.Monitoring";

    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly Meter _meter;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Model, string Operation, string Provider), bool> _announced = new();

    public MonitoringTelemetry(IMeterFactory meters, MonitoringState state)
    {
        _meter = meters.Create(MeterName);
        Requests = _meter.CreateCounter<long>("ml_inference_requests", description: "Inference calls, by model, operation, provider and status (ok, error, cancelled).");
        Errors = _meter.CreateCounter<long>("ml_inference_errors", description: "Failed inference calls, by model, operation, provider and error type.");
        Duration = _meter.CreateHistogram("ml_inference_request_duration", "s", "Inference call latency, by model, operation and status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        TimeToFirstToken = _meter.CreateHistogram("ml_inference_time_to_first_token", "s", "Time to the first streamed token, by model.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _meter.CreateObservableGauge("ml_inference_circuit_breaker_state", state.CircuitBreakerMeasurements,
            description: "Circuit breakers of the remote providers: 0 closed, 1 open, 2 half-open, by client and model.");
        _meter.CreateObservableGauge("ml_inference_memory_usage_percent", () => state.MemoryUsagePercent,
            description: "The process's memory as a percentage of what it may use (the container's limit, else the machine's memory).");
        _meter.CreateObservableGauge("ml_inference_health_score", () => state.HealthScore,
            description: "The service's health from 0 to 100: health checks, error rates, open circuit breakers, memory, models down.");
        _meter.CreateObservableGauge("ml_inference_model_up", state.ModelUpMeasurements,
            description: "1 while a model answers, 0 while it is down, by model and provider.");
        _meter.CreateObservableGauge("ml_inference_backpressure_utilization", state.BackpressureMeasurements,
            description: "Waiting requests ÷ the queue's capacity, by model (local models).");
        _meter.CreateObservableGauge("ml_inference_backpressure_level", state.BackpressureLevelMeasurements,
            description: "A model's backpressure: 0 healthy, 1 warning, 2 critical (Inference:Monitoring:BackpressureWarning / BackpressureCritical).");
    }

    public Counter<long> Requests { get; }

    public Counter<long> Errors { get; }

    public Histogram<double> Duration { get; }

    public Histogram<double> TimeToFirstToken { get; }

    /// <summary>
    /// Makes a served model's request and error counters exist from the start, at zero, so that a rate over them (the
    /// error-rate alert's) has a series on a service that has had no error yet. Once per model, operation and provider.
    /// </summary>
    public void Announce(string model, string operation, string provider)
    {
        if (!_announced.TryAdd((model, operation, provider), true))
        {
            return;
        }

        Requests.Add(0, new TagList { { "model", model }, { "operation", operation }, { "provider", provider }, { "status", Inference.Serving.Auditing.InferenceCall.Ok } });
        Errors.Add(0, new TagList { { "model", model }, { "operation", operation }, { "provider", provider } });
    }

    public void Dispose() => _meter.Dispose();
}
