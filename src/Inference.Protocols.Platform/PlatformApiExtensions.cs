using Inference.Http;
using Inference.Protocols.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class PlatformApiExtensions
{
    /// <summary>
    /// The services behind the platform's own routes (<c>MapGenerateApi</c>, <c>MapInferApi</c>,
    /// <c>MapClassificationApi</c>, <c>MapCircuitBreakerApi</c>, <c>MapOperationalEventsApi</c>, <c>MapModelLoadingApi</c>):
    /// the runner of inference requests (which jobs use too) and their wire formats.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WireFormats.Add(PlatformJsonContext.Default);
        WireFormats.Add(ClassificationJsonContext.Default);
        WireFormats.Add(RerankJsonContext.Default);
        builder.Services.TryAddSingleton<InferRunner>();
        return builder;
    }
}
