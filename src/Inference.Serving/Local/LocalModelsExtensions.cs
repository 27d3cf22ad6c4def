using Inference.Onnx.Models;
using Inference.Serving.Catalog;
using Inference.Serving.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class LocalModelsExtensions
{
    /// <summary>
    /// Serves local ONNX models in-process: binds <c>Inference</c> configuration, loads the models at start, and adds
    /// the "models" readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddLocalModels(this IHostApplicationBuilder builder, params LocalModelKind[] kinds)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<LocalModelsOptions>().BindConfiguration(LocalModelsOptions.SectionName);
        if (kinds.Length > 0)
        {
            options.PostConfigure(o => o.Kinds = [.. kinds]);
        }

        options.Validate(o => o.Engine.MaxConcurrentRequests >= 1, "Inference:Engine:MaxConcurrentRequests must be at least 1.")
            .Validate(o => o.Engine.MaxQueuedRequests >= 0, "Inference:Engine:MaxQueuedRequests must not be negative.")
            .Validate(o => o.Engine.EmbeddingBatchSize >= 1, "Inference:Engine:EmbeddingBatchSize must be at least 1.")
            .Validate(o => o.Engine.IntraOpThreads >= 0, "Inference:Engine:IntraOpThreads must not be negative.")
            .ValidateOnStart();

        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.AddHostedService<LocalModelLoader>();
        builder.Services.AddHealthChecks().AddCheck<ModelsReadyHealthCheck>("models", tags: [Microsoft.Extensions.Hosting.Extensions.ReadyTag]);
        return builder;
    }
}
