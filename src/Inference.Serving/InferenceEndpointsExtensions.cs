using Inference.Serving;
using Inference.Serving.Classification;
using Inference.Serving.Events;
using Inference.Serving.Generate;
using Inference.Serving.Infer;
using Inference.Serving.Ollama;
using Inference.Serving.Routing;
using Microsoft.Extensions.Hosting;

namespace Microsoft.AspNetCore.Builder;

public static class InferenceEndpointsExtensions
{
    /// <summary>Error handling, health endpoints, the OpenAI- and Ollama-compatible APIs seed 001's /generate routes, seed 002's /infer and the classification routes, as every inference service maps them.</summary>
    public static WebApplication MapInferenceEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyGuard>();
        app.UseMiddleware<Inference.Serving.Draining.DrainingMiddleware>();
        app.MapDefaultEndpoints();
        app.MapOpenAIApi();
        app.MapClassificationApi();
        app.MapOllamaApi();
        app.MapGenerateApi();
        app.MapInferApi();
        app.MapCircuitBreakerApi();
        app.MapOperationalEventsApi();
        return app;
    }
}
