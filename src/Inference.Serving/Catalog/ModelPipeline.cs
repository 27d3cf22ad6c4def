using Inference.Engines.Classification;
using Inference.Serving.Auditing;
using Inference.Serving.Caching;
using Inference.Serving.Classification;
using Inference.Serving.Safety;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Catalog;

/// <summary>
/// The middleware every served model gets, whatever its provider: OpenTelemetry (GenAI conventions) outside, then the
/// call sinks (the audit log and the metrics, when the host has them, so cached answers are recorded too), then the
/// safety hooks (prompt screening, output sanitising; off unless configured), then the response cache. Prompt and response text go into the spans only when <see cref="TelemetryContentOptions"/> allow it.
/// </summary>
internal static class ModelPipeline
{
    public static IChatClient Chat(IChatClient provider, string modelId, string providerName, IServiceProvider services) =>
        new ChatClientBuilder(provider)
            .UseOpenTelemetry(services.GetService<ILoggerFactory>(), configure: c => c.EnableSensitiveData = IncludeContent(services))
            .Use(inner => CallLog(services) is { } audit
                ? new AuditingChatClient(inner, audit, Time(services), modelId, providerName)
                : inner)
            .Use(inner => Safety(inner, services))
            .UseResponseCache(modelId)
            .Build(services);

    /// <summary>The prompt screen and output sanitiser, when <see cref="SafetyOptions"/> turn them on (the registered or built-in ones).</summary>
    private static IChatClient Safety(IChatClient inner, IServiceProvider services)
    {
        var options = services.GetService<IOptions<SafetyOptions>>()?.Value ?? new SafetyOptions();
        var screen = options.PromptScreening ? services.GetService<IPromptScreen>() ?? new HeuristicPromptScreen() : null;
        var sanitizer = options.OutputSanitization ? services.GetService<IOutputSanitizer>() ?? new ControlCharacterSanitizer() : null;
        return screen is null && sanitizer is null ? inner : new SafetyChatClient(inner, screen, sanitizer);
    }

    public static IEmbeddingGenerator<string, Embedding<float>> Embeddings(
        IEmbeddingGenerator<string, Embedding<float>> provider, string modelId, string providerName, IServiceProvider services) =>
        new EmbeddingGeneratorBuilder<string, Embedding<float>>(provider)
            .UseOpenTelemetry(services.GetService<ILoggerFactory>(), configure: g => g.EnableSensitiveData = IncludeContent(services))
            .Use(inner => CallLog(services) is { } audit
                ? new AuditingEmbeddingGenerator(inner, audit, Time(services), modelId, providerName)
                : inner)
            .UseResponseCache(modelId)
            .Build(services);

    /// <summary>A classifier's pipeline: a span, the call sinks, then the response cache (per input).</summary>
    public static ITextClassifier Classifier(ITextClassifier provider, string modelId, string providerName, IServiceProvider services)
    {
        var classifier = provider;
        if (services.GetService<IOptions<ResponseCacheOptions>>()?.Value.Enabled == true && services.GetService<ResilientDistributedCache>() is { } cache)
        {
            classifier = new CachingTextClassifier(classifier, cache, modelId);
        }

        if (CallLog(services) is { } audit)
        {
            classifier = new AuditingTextClassifier(classifier, audit, Time(services), modelId, providerName);
        }

        return new TelemetryTextClassifier(classifier, modelId, providerName);
    }

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
