using Inference.Monitoring.Services;
using Inference.Serving.Auditing;
using Inference.Serving.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Inference.Monitoring.Alerts;

/// <summary>
/// The alerts, evaluated in the service from what it measured: error rate, 95th-percentile latency, memory,
/// open circuit breakers, models and services down, the health score. An alert keeps the time it started firing
/// across evaluations, and ends when its condition no longer holds.
/// </summary>
public sealed class AlertEvaluator(IOptions<AlertOptions> options)
{
    public const string Critical = "critical";
    public const string Warning = "warning";

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>What the health score is, and the alerts that fire now (with their start from <paramref name="previous"/>).</summary>
    public (double HealthScore, ActiveAlerts Alerts) Evaluate(
        IReadOnlyList<InferenceCall> calls,
        ServicesSnapshot services,
        HealthReport health,
        double memoryPercent,
        CircuitBreakers breakers,
        DateTimeOffset now,
        ActiveAlerts previous)
    {
        var o = options.Value;
        List<ActiveAlert> firing = [];
        var worstErrorRate = 0.0;
        foreach (var model in calls.Select(c => c.Model).Distinct(StringComparer.Ordinal))
        {
            var recent = calls.Where(c => c.Model == model && c.Timestamp + c.Latency >= now - o.ErrorRateWindow).ToList();
            var errors = CallStatistics.Of(recent, o.ErrorRateWindow);
            if (errors.Requests >= o.MinimumCalls)
            {
                worstErrorRate = Math.Max(worstErrorRate, errors.ErrorRate);
                if (errors.ErrorRate > o.ErrorRate)
                {
                    firing.Add(new("HighErrorRate", Critical, model, null,
                        Invariant($"{model}: {errors.ErrorRate * 100:0.#}% of {errors.Requests} calls failed over {o.ErrorRateWindow.TotalMinutes:0.#} min (threshold {o.ErrorRate * 100:0.#}%)."),
                        Math.Round(errors.ErrorRate, 4), o.ErrorRate, now));
                }
            }

            var slow = CallStatistics.Of([.. calls.Where(c => c.Model == model && c.Timestamp + c.Latency >= now - o.LatencyWindow)], o.LatencyWindow);
            if (slow.LatencyP95 is { } p95 && p95 > o.LatencyP95)
            {
                firing.Add(new("HighLatency", Warning, model, null,
                    Invariant($"{model}: 95th-percentile latency {p95.TotalSeconds:0.###} s over {o.LatencyWindow.TotalMinutes:0.#} min (threshold {o.LatencyP95.TotalSeconds:0.######} s)."),
                    Math.Round(p95.TotalSeconds, 3), o.LatencyP95.TotalSeconds, now));
            }
        }

        var modelsDown = 0;
        foreach (var service in services.Services)
        {
            if (service.Status == ServiceStatus.Offline && service != services.Services[0])
            {
                firing.Add(new("ServiceDown", Critical, null, service.Name, $"{service.Name} ({service.Endpoint}) does not answer: {service.Detail}", null, null, now));
            }

            foreach (var model in service.Models.Where(m => m.Status == ModelStatus.Offline))
            {
                modelsDown++;
                firing.Add(new("ModelDown", Critical, model.Name, service.Name,
                    service.Status == ServiceStatus.Offline
                        ? $"{model.Name} is down: its service {service.Name} does not answer."
                        : $"{model.Name} is down: its last {o.ModelDownAfter} calls failed.",
                    null, null, now));
            }
        }

        foreach (var (name, entry) in health.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy))
        {
            firing.Add(new("ServiceDown", Critical, null, name, $"Health check {name} fails: {entry.Description ?? entry.Exception?.Message}", null, null, now));
        }

        var open = breakers.States.Where(b => b.Value == CircuitState.Open).ToList();
        foreach (var (endpoint, _) in open)
        {
            firing.Add(new("CircuitBreakerOpen", Critical, breakers.ModelOf(endpoint), endpoint,
                $"The circuit breaker of {endpoint} is open: calls to it fail fast and go to fallbacks.", 1, null, now));
        }

        var memoryHigh = memoryPercent > o.MemoryPercent;
        if (memoryHigh)
        {
            firing.Add(new("HighMemoryUsage", Warning, null, null,
                Invariant($"Memory use is {memoryPercent:0.#}% of what the process may use (threshold {o.MemoryPercent:0.###}%)."), memoryPercent, o.MemoryPercent, now));
        }

        var score = HealthScore.Compute(worstErrorRate, health.Status, open.Count, modelsDown, memoryHigh);
        if (score < o.HealthScore)
        {
            firing.Add(new("LowHealthScore", Warning, null, null, Invariant($"The health score is {score:0.#} (threshold {o.HealthScore:0.#})."), score, o.HealthScore, now));
        }

        var since = previous.Alerts.ToDictionary(a => a.Key, a => a.Since, StringComparer.Ordinal);
        return (score, new ActiveAlerts(now, [.. firing
            .DistinctBy(a => a.Key)
            .Select(a => since.TryGetValue(a.Key, out var start) ? a with { Since = start } : a)]));
    }
}
