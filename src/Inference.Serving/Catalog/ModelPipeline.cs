using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Serving.Catalog;

/// <summary>
/// The middleware every served model gets, whatever its provider: OpenTelemetry (GenAI conventions) outside,
/// the response cache inside.
/// </summary>
internal static class ModelPipeline
{
    public static IChatClient Chat(IChatClient provider, string modelId, IServiceProvider services) =>
        new ChatClientBuilder(provider)
            .UseOpenTelemetry(Logging(services))
            .UseResponseCache(modelId)
            .Build(services);

    public static IEmbeddingGenerator<string, Embedding<float>> Embeddings(IEmbeddingGenerator<string, Embedding<float>> provider, string modelId, IServiceProvider services) =>
        new EmbeddingGeneratorBuilder<string, Embedding<float>>(provider)
            .UseOpenTelemetry(Logging(services))
            .UseResponseCache(modelId)
            .Build(services);

    private static ILoggerFactory? Logging(IServiceProvider services) => (ILoggerFactory?)services.GetService(typeof(ILoggerFactory));
}
