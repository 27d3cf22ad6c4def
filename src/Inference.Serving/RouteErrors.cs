using Inference.Serving.Ollama;
using Inference.Serving.OpenAI;
using Microsoft.AspNetCore.Http;

namespace Inference.Serving;

/// <summary>
/// An error in the format of the API a request called, for what answers before a route's handler runs (draining,
/// limits, refused input): OpenAI's error object on <c>/v1</c>, Ollama's on <c>/api</c>, Text Embeddings Inference's on
/// <c>/predict</c>, problem details elsewhere.
/// </summary>
public static class RouteErrors
{
    public static IResult For(PathString path, int status, string message, string type, string code, string title) =>
        path.StartsWithSegments("/v1") ? OpenAIErrors.Create(status, message, type, code: code)
        : path.StartsWithSegments("/predict") ? Classification.ClassificationApi.TeiError(status, message)
        : path.StartsWithSegments("/api") && !path.StartsWithSegments("/api/inference") && !path.StartsWithSegments("/api/models") && !path.StartsWithSegments("/api/keys") && !path.StartsWithSegments("/api/metrics")
            ? OllamaApi.Error(status, message)
            : TypedResults.Problem(message, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });
}
