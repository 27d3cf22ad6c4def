using Microsoft.Extensions.Hosting;

namespace Microsoft.AspNetCore.Builder;

public static class InferenceEndpointsExtensions
{
    /// <summary>Error handling, health endpoints and the OpenAI-compatible API, as every inference service maps them.</summary>
    public static WebApplication MapInferenceEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultEndpoints();
        app.MapOpenAIApi();
        return app;
    }
}
