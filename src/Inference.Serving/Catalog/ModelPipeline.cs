using Inference.Serving.Auditing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Serving.Catalog;

/// <summary>
/// The middleware every served model gets, whatever its provider: OpenTelemetry (GenAI conventions) outside, then the
/// audit log (when the host has one, so cached answers are recorded too), then the response cache.
/// </summary>
internal static class ModelPipeline
{
    public static IChatClient Chat(IChatClient provider, string modelId, string providerName, IServiceProvider services) =>
        new ChatClientBuilder(provider)
            .UseOpenTelemetry(services.GetService<ILoggerFactory>())
            .Use(inner => services.GetService<IInferenceAuditLog>() is { } audit
                ? new AuditingChatClient(inner, audit, services.GetService<IHttpContextAccessor>(), Time(services), modelId, providerName)
                : inner)
            .UseResponseCache(modelId)
            .Build(services);

    public static IEmbeddingGenerator<string, Embedding<float>> Embeddings(
        IEmbeddingGenerator<string, Embedding<float>> provider, string modelId, string providerName, IServiceProvider services) =>
        new EmbeddingGeneratorBuilder<string, Embedding<float>>(provider)
            .UseOpenTelemetry(services.GetService<ILoggerFactory>())
            .Use(inner => services.GetService<IInferenceAuditLog>() is { } audit
                ? new AuditingEmbeddingGenerator(inner, audit, services.GetService<IHttpContextAccessor>(), Time(services), modelId, providerName)
                : inner)
            .UseResponseCache(modelId)
            .Build(services);

    private static TimeProvider Time(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;
}
