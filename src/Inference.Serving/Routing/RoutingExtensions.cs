using Inference.Serving.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class RoutingExtensions
{
    /// <summary>Model routing (versions, traffic splits, fallbacks) and a circuit breaker per provider endpoint (<c>Inference:Routing</c>).</summary>
    public static IHostApplicationBuilder AddModelRouting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RoutingOptions>()
            .BindConfiguration(RoutingOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero, "Inference:Routing:AttemptTimeout must be positive.")
            .Validate(o => o.MaxRetryDelay >= TimeSpan.Zero, "Inference:Routing:MaxRetryDelay must not be negative.")
            .Validate(o => o.RefreshInterval > TimeSpan.Zero, "Inference:Routing:RefreshInterval must be positive.")
            .Validate(o => o.CircuitBreaker.SamplingDuration >= TimeSpan.FromMilliseconds(500), "Inference:Routing:CircuitBreaker:SamplingDuration must be at least 0.5 s.")
            .Validate(o => o.CircuitBreaker.BreakDuration >= TimeSpan.FromMilliseconds(500), "Inference:Routing:CircuitBreaker:BreakDuration must be at least 0.5 s.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ModelRouter>();
        builder.Services.TryAddSingleton<ProviderCircuitBreakers>();
        builder.Services.TryAddSingleton<Inference.Serving.InferenceService>();
        return builder;
    }
}
