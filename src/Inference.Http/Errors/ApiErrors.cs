using Inference.Serving.Requests;
using Microsoft.AspNetCore.Http;

namespace Inference.Http;

/// <summary>
/// The error bodies of the APIs served here, written once: OpenAI's error object, Ollama's, Text Embeddings
/// Inference's and problem details; an <see cref="InferenceError"/> in any of them, with <c>Retry-After</c> when it
/// says when to try again.
/// </summary>
public static class ApiErrors
{
    public static IResult OpenAI(int status, string message, string type = InferenceError.InvalidRequest, string? param = null, string? code = null) =>
        TypedResults.Json(new OpenAIErrorResponse(new OpenAIError(message, type, param, code)), ErrorJsonContext.Default.OpenAIErrorResponse, statusCode: status);

    public static IResult OpenAI(InferenceError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return WithRetryAfter(OpenAI(error.Status, error.Message, error.Type, error.Param, error.Code), error);
    }

    public static OpenAIErrorResponse OpenAIBody(InferenceError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(new OpenAIError(error.Message, error.Type, error.Param, error.Code));
    }

    public static IResult Ollama(int status, string message) =>
        TypedResults.Json(new OllamaError(message), ErrorJsonContext.Default.OllamaError, statusCode: status);

    public static IResult Ollama(InferenceError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return WithRetryAfter(Ollama(error.Status, error.Message), error);
    }

    /// <summary>Anthropic's error body, its type told by the status as Anthropic's API tells it.</summary>
    public static IResult Anthropic(int status, string message) =>
        TypedResults.Json(new AnthropicErrorResponse(new AnthropicError(AnthropicType(status), message)), ErrorJsonContext.Default.AnthropicErrorResponse, statusCode: status);

    public static string AnthropicType(int status) => status switch
    {
        400 or 409 or 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        _ => "api_error",
    };

    /// <summary>Text Embeddings Inference's error body, its type told by the status.</summary>
    public static IResult Tei(int status, string message) =>
        TypedResults.Json(new PredictError(message, status switch { 429 => "Overloaded", >= 500 => "Backend", _ => "Validation" }), ErrorJsonContext.Default.PredictError, statusCode: status);

    public static IResult Problem(int status, string detail, string? title = null, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);

    public static IResult Problem(InferenceError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return WithRetryAfter(Problem(error.Status, error.Message), error);
    }

    /// <summary><paramref name="result"/>, telling the caller when to try again when <paramref name="error"/> says.</summary>
    public static IResult WithRetryAfter(IResult result, InferenceError error) =>
        error?.RetryAfter is { } after ? new RetryAfterResult(result, after) : result;

    /// <summary>Sets <c>Retry-After</c> (whole seconds, rounded up).</summary>
    public static void SetRetryAfter(HttpResponse response, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The error an exception nothing handled answers with: a request the framework rejects keeps its 4xx, an exception a
    /// request can cause its error, anything else is a 500 without internals.
    /// </summary>
    public static InferenceError ForUnhandled(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is BadHttpRequestException bad
            ? new InferenceError(bad.StatusCode, InferenceError.InvalidRequest, bad.Message)
            : InferenceErrors.FromException(exception, "messages")
                ?? new InferenceError(StatusCodes.Status500InternalServerError, InferenceError.ServerError, "The server had an error while processing your request.");
    }
}
