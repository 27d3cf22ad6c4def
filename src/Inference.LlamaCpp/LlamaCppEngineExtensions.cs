using Inference.Engines;
using Inference.LlamaCpp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class LlamaCppEngineExtensions
{
    /// <summary>
    /// Registers the llama.cpp engine's model format (GGUF files, and folders of them), configured from
    /// <c>Inference:LlamaCpp</c> and validated at start.
    /// </summary>
    public static IHostApplicationBuilder AddLlamaCppEngine(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<LlamaCppEngineOptions>()
            .BindConfiguration(LlamaCppEngineOptions.SectionName)
            .Validate(o => o.MaxSequences >= 1, "Inference:LlamaCpp:MaxSequences must be at least 1.")
            .Validate(o => o.ContextLength >= 0, "Inference:LlamaCpp:ContextLength must not be negative.")
            .Validate(o => o.KvCacheSize >= 0, "Inference:LlamaCpp:KvCacheSize must not be negative.")
            .Validate(o => o.StepTokenBudget >= 1, "Inference:LlamaCpp:StepTokenBudget must be at least 1.")
            .Validate(o => o.Threads >= 0, "Inference:LlamaCpp:Threads must not be negative.")
            .Validate(o => o.MaxQueuedRequests >= 0, "Inference:LlamaCpp:MaxQueuedRequests must not be negative.")
            .Validate(o => o.PrefixCacheEntries >= 0, "Inference:LlamaCpp:PrefixCacheEntries must not be negative.")
            .Validate(o => o.GpuLayers is null or >= 0, "Inference:LlamaCpp:GpuLayers must not be negative.")
            .Validate(o => o.QuantizationOrder.Count > 0, "Inference:LlamaCpp:Quantization must name at least one file type.")
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelFormat, GgufModelFormat>());
        return builder;
    }
}
