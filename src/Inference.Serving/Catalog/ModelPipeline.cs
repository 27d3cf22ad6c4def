using Inference.Serving.Auditing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Catalog;

/// <summary>
/// The middleware every served model gets, whatever its provider: OpenTelemetry (GenAI conventions) outside, then the
/// call sinks (the audit log and the metrics, when the host has them, so cached answers are recorded too), then the
/// response cache. Prompt and response text go into the spans only when <see cref="TelemetryContentOptions"/> allow it.
/// </summary>
internal static class ModelPipeline
{
    public static IChatClient Chat(IChatClient provider, string modelId, string providerName, IServiceProvider services) =>
        new ChatClientBuilder(provider)
            .UseOpenTelemetry(services.GetService<ILoggerFactory>(), configure: c => c.EnableSensitiveData = IncludeContent(services))
            .Use(inner => CallLog(services) is { } audit
                ? new AuditingChatClient(inner, audit, services.GetService<IHttpContextAccessor>(), Time(services), modelId, providerName)
                : inner)
            .UseResponseCache(modelId)
            .Build(services);

    public static IEmbeddingGenerator<string, Embedding<float>> Embeddings(
        IEmbeddingGenerator<string, Embedding<float>> provider, string modelId, string providerName, IServiceProvider services) =>
        new EmbeddingGeneratorBuilder<string, Embedding<float>>(provider)
            .UseOpenTelemetry(services.GetService<ILoggerFactory>(), configure: g => g.EnableSensitiveData = IncludeContent(services))
            .Use(inner => CallLog(services) is { } audit
                ? new AuditingEmbeddingGenerator(inner, audit, services.GetService<IHttpContextAccessor>(), Time(services), modelId, providerName)
                : inner)
            .UseResponseCache(modelId)
            .Build(services);

    /// <summary>Every sink the host registered for calls (the audit log, the metrics), as one; null when there is none.</summary>
    private static IInferenceAuditLog? CallLog(IServiceProvider services) => services.GetServices<IInferenceAuditLog>().ToArray() switch
    {
        [] => null,
        [var one] => one,
        var many => new InferenceCallSinks(many),
    };

    private static bool IncludeContent(IServiceProvider services) =>
        services.GetService<IOptions<TelemetryContentOptions>>()?.Value.IncludeContent ?? false;

    private static TimeProvider Time(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;
}
