using Inference.Protocols.Platform;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

public static class PlatformApi
{
    /// <summary>
    /// The platform's own inference and operations routes: <c>/generate</c>, <c>/infer</c>, <c>/api/inference/text</c>,
    /// classification (<c>/v1/classify</c>, <c>/predict</c>, <c>/api/inference/analyze</c>), reranking (<c>/v1/rerank</c>,
    /// <c>/rerank</c>), the circuit breakers and the
    /// operational events. (A Worker adds <c>MapModelLoadingApi</c>.)
    /// </summary>
    public static IEndpointRouteBuilder MapPlatformApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapClassificationApi();
        endpoints.MapRerankApi();
        endpoints.MapGenerateApi();
        endpoints.MapInferApi();
        endpoints.MapCircuitBreakerApi();
        endpoints.MapOperationalEventsApi();
        return endpoints;
    }
}
