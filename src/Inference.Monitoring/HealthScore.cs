using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Inference.Monitoring;

/// <summary>
/// The service's health from 0 to 100 (<c>ml_inference_health_score</c>), 100 less: 40 × the worst model's error rate
/// over the error-rate window; 25 for a failing health check (10 for a degraded one); 15 for each open circuit breaker
/// and each model down (at most 30 each); 20 while memory is over its threshold.
/// </summary>
public static class HealthScore
{
    public static double Compute(double worstErrorRate, HealthStatus health, int openBreakers, int modelsDown, bool memoryHigh)
    {
        var score = 100.0;
        score -= 40 * Math.Clamp(worstErrorRate, 0, 1);
        score -= health switch
        {
            HealthStatus.Unhealthy => 25,
            HealthStatus.Degraded => 10,
            _ => 0,
        };
        score -= Math.Min(30, 15 * openBreakers);
        score -= Math.Min(30, 15 * modelsDown);
        score -= memoryHigh ? 20 : 0;
        return Math.Round(Math.Clamp(score, 0, 100), 1);
    }
}
