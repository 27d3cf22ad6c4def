using Inference.Serving;
using Inference.Serving.Ollama;
using Microsoft.Extensions.Hosting;

namespace Microsoft.AspNetCore.Builder;

public static class InferenceEndpointsExtensions
{
    /// <summary>Error handling, health endpoints and the OpenAI- and Ollama-compatible APIs, as every inference service maps them.</summary>
    public static WebApplication MapInferenceEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultEndpoints();
        app.MapOpenAIApi();
        app.MapOllamaApi();
        return app;
    }
}
