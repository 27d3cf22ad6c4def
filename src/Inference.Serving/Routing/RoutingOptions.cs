using System.ComponentModel.DataAnnotations;

namespace Inference.Serving.Routing;

/// <summary>
/// How requests move between a model and its fallbacks (<c>Inference:Routing</c>): attempts per request across the
/// whole chain, how long a provider's <c>Retry-After</c> may be waited for, how long an attempt may take to answer,
/// and the circuit breaker each provider endpoint has.
/// </summary>
public sealed class RoutingOptions
{
    public const string SectionName = "Inference:Routing";

    /// <summary>Attempts one request may make, over its model and all its fallbacks together (never reset by a fallback).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The longest <c>Retry-After</c> waited for before trying the chain again; a longer one ends the request.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an attempt may take to answer (the whole answer, or a stream's first part) before the next model is tried.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the routing table (versions, deployments, A/B tests) is read again from the registry, so replicas agree.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    public CircuitBreakerSettings CircuitBreaker { get; set; } = new();
}

/// <summary>Each provider endpoint's breaker: it opens when this share of the calls in the window fail, and probes again after the break.</summary>
public sealed class CircuitBreakerSettings
{
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls in the window before the breaker may open.</summary>
    [Range(2, 10_000)]
    public int MinimumThroughput { get; set; } = 3;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker refuses calls before one probe (half-open) may pass.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
