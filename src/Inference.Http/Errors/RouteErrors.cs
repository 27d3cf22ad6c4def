using Microsoft.AspNetCore.Http;

namespace Inference.Http;

/// <summary>
/// An error in the format of the API a request called, for what answers before a route's handler runs (draining,
/// limits, refused input): OpenAI's error object on <c>/v1</c>, Ollama's on <c>/api</c>, Text Embeddings Inference's on
/// <c>/predict</c>, problem details elsewhere.
/// </summary>
public static class RouteErrors
{
    public static IResult For(PathString path, int status, string message, string type, string code, string title) => FormatOf(path) switch
    {
        ErrorFormat.OpenAI => ApiErrors.OpenAI(status, message, type, code: code),
        ErrorFormat.Anthropic => ApiErrors.Anthropic(status, message),
        ErrorFormat.TextEmbeddingsInference => ApiErrors.Tei(status, message),
        ErrorFormat.Ollama => ApiErrors.Ollama(status, message),
        _ => ApiErrors.Problem(status, message, title, new Dictionary<string, object?> { ["code"] = code }),
    };

    /// <summary>Which API's error body a route answers with, by its path.</summary>
    public static ErrorFormat FormatOf(PathString path) =>
        path.StartsWithSegments("/v1/messages") ? ErrorFormat.Anthropic
        : path.StartsWithSegments("/v1") ? ErrorFormat.OpenAI
        : path.StartsWithSegments("/predict") || path.StartsWithSegments("/rerank") ? ErrorFormat.TextEmbeddingsInference
        : path.StartsWithSegments("/api") && !PlatformPrefixes.Any(p => path.StartsWithSegments(p)) ? ErrorFormat.Ollama
        : ErrorFormat.ProblemDetails;

    /// <summary>The platform's own routes under <c>/api</c> (the rest of <c>/api</c> is Ollama's).</summary>
    private static readonly string[] PlatformPrefixes =
        ["/api/inference", "/api/models", "/api/keys", "/api/metrics", "/api/operational-events", "/api/services", "/api/events", "/api/feedback"];
}

/// <summary>The error bodies the routes answer in.</summary>
public enum ErrorFormat
{
    /// <summary>RFC 7807 problem details.</summary>
    ProblemDetails,

    /// <summary>OpenAI's <c>{"error":{"message","type","param","code"}}</c>.</summary>
    OpenAI,

    /// <summary>Ollama's <c>{"error":"..."}</c>.</summary>
    Ollama,

    /// <summary>Anthropic's <c>{"type":"error","error":{"type","message"}}</c>.</summary>
    Anthropic,

    /// <summary>Text Embeddings Inference's <c>{"error","error_type"}</c>.</summary>
    TextEmbeddingsInference,
}
