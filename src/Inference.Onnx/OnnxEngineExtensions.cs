using Inference.Engines;
using Inference.Onnx;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class OnnxEngineExtensions
{
    /// <summary>
    /// Registers the ONNX Runtime engine's model format (optimum ONNX folders: decoders for chat, encoders for
    /// embeddings), configured from <c>Inference:Engine</c> and validated at start.
    /// </summary>
    public static IHostApplicationBuilder AddOnnxEngine(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<OnnxEngineOptions>()
            .BindConfiguration(OnnxEngineOptions.SectionName)
            .Validate(o => o.MaxConcurrentRequests >= 1, "Inference:Engine:MaxConcurrentRequests must be at least 1.")
            .Validate(o => o.ChatBatchSize >= 1 && o.ChatBatchSize <= 256, "Inference:Engine:ChatBatchSize must be within 1 and 256.")
            .Validate(o => o.MaxQueuedRequests >= 0, "Inference:Engine:MaxQueuedRequests must not be negative.")
            .Validate(o => o.EmbeddingBatchSize >= 1, "Inference:Engine:EmbeddingBatchSize must be at least 1.")
            .Validate(o => o.EmbeddingBatchTimeout >= TimeSpan.Zero && o.EmbeddingBatchTimeout <= TimeSpan.FromSeconds(10), "Inference:Engine:EmbeddingBatchTimeout must be within 0 and 10 s.")
            .Validate(o => o.IntraOpThreads >= 0, "Inference:Engine:IntraOpThreads must not be negative.")
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelFormat, OnnxModelFormat>());
        return builder;
    }
}
