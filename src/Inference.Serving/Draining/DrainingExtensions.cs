using Inference.Serving.Draining;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class DrainingExtensions
{
    /// <summary>Draining on shutdown: unready, new inference requests refused (503, <c>Retry-After</c>), accepted ones waited for.</summary>
    public static IHostApplicationBuilder AddDraining(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DrainingOptions>()
            .BindConfiguration(DrainingOptions.SectionName)
            .Validate(o => o.Timeout >= TimeSpan.Zero, "Inference:Draining:Timeout must not be negative.")
            .Validate(o => o.RetryAfter >= TimeSpan.FromSeconds(1), "Inference:Draining:RetryAfter must be at least one second.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<DrainState>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DrainOnShutdown>());
        builder.Services.AddHealthChecks().AddCheck<DrainingHealthCheck>("draining", tags: [Inference.Serving.HealthTags.Ready]);
        return builder;
    }
}
