using Inference.Serving.Catalog;
using Inference.Serving.Events;
using Inference.Serving.Local;
using Inference.Serving.Remote;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class InferenceServiceExtensions
{
    /// <summary>
    /// The serving core: remote models and local models of the given kinds (all when none are given), routed, cached
    /// and audited behind <see cref="Inference.Serving.InferenceService"/>. A Worker or Embeddings service referenced by
    /// an AppHost serves its kind instead of this process.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceServing(this IHostApplicationBuilder builder, params ModelKind[] kinds)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Operational events first: its start is the service's first event, before any model loads.
        builder.Services.TryAddSingleton<OperationalEvents>();
        builder.Services.TryAddSingleton<IOperationalEventStore, MemoryOperationalEventStore>();
        builder.Services.AddHostedService<OperationalEventsLifetime>();
        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddResponseCache().AddModelRouting().AddRemoteModels().AddLocalModels(kinds).AddDraining();
        builder.Services.AddOptions<BackpressureOptions>()
            .BindConfiguration(BackpressureOptions.SectionName)
            .Validate(o => o.BackpressureWarning is > 0 and <= 1 && o.BackpressureCritical >= o.BackpressureWarning && o.BackpressureCritical <= 1,
                "Inference:Monitoring:BackpressureWarning and BackpressureCritical must be between 0 and 1, warning first.")
            .ValidateOnStart();
        builder.Services.AddOptions<TelemetryContentOptions>()
            .BindConfiguration(TelemetryContentOptions.SectionName)
            .PostConfigure(o => o.IncludeContent |= string.Equals(
                builder.Configuration["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"], "true", StringComparison.OrdinalIgnoreCase));
        builder.Services.AddOptions<Inference.Serving.Safety.SafetyOptions>().BindConfiguration(Inference.Serving.Safety.SafetyOptions.SectionName);

        var discovery = builder.Configuration.GetSection("Inference:Discovery").Get<ServiceDiscoveryOptions>() ?? new();
        var delegated = RemoteModelRegistrar.ReferencedServices(builder.Configuration, discovery)
            .SelectMany(s => s.Provider == "worker" ? [ModelKind.Chat] : new[] { ModelKind.Embedding, ModelKind.Classification })
            .ToList();
        if (delegated.Count > 0)
        {
            builder.Services.PostConfigure<LocalModelsOptions>(o => o.Kinds.ExceptWith(delegated));
        }

        return builder;
    }
}
