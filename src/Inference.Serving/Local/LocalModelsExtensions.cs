using Inference.Serving.Catalog;
using Inference.Serving.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class LocalModelsExtensions
{
    /// <summary>
    /// Serves local models in-process through the engines the host registered (each engine's <c>AddXxxEngine()</c>
    /// adds its model format): binds <c>Inference</c> configuration, loads the models at start, and adds the "models"
    /// readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddLocalModels(this IHostApplicationBuilder builder, params ModelKind[] kinds)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<LocalModelsOptions>().BindConfiguration(LocalModelsOptions.SectionName);
        if (kinds.Length > 0)
        {
            options.PostConfigure(o => o.Kinds = [.. kinds]);
        }

        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.TryAddSingleton<LocalModelFactory>();
        builder.Services.TryAddSingleton<LoadedModels>();
        builder.Services.AddOptions<ResidencyOptions>()
            .BindConfiguration(ResidencyOptions.SectionName)
            .Validate(o => o.KeepAlive is null || KeepAlive.TryParse(o.KeepAlive, out _), "Inference:Residency:KeepAlive must be a duration such as 5m, 30s or -1.")
            .Validate(o => o.MemoryBudgetBytes is null or > 0, "Inference:Residency:MemoryBudgetBytes must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ModelResidency>();
        builder.Services.AddHostedService<LocalModelLoader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelResidency>());
        builder.Services.AddHealthChecks().AddCheck<ModelsReadyHealthCheck>("models", tags: [Inference.Serving.HealthTags.Ready]);
        return builder;
    }
}
