using Inference.Serving.OpenAI.Contracts;
using Microsoft.AspNetCore.Http;

namespace Inference.Serving.OpenAI;

/// <summary>Builds OpenAI-shaped error responses, and maps engine exceptions onto them.</summary>
public static class OpenAIErrors
{
    public static IResult Create(int status, string message, string type, string? param = null, string? code = null) =>
        TypedResults.Json(new OpenAIErrorResponse(new OpenAIError(message, type, param, code)), OpenAIJsonContext.Default.OpenAIErrorResponse, statusCode: status);

    public static IResult BadRequest(string message, string? param = null, string? code = null) =>
        Create(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, code);

    public static IResult BadRequest(OpenAIError error) =>
        TypedResults.Json(new OpenAIErrorResponse(error), OpenAIJsonContext.Default.OpenAIErrorResponse, statusCode: StatusCodes.Status400BadRequest);

    public static IResult ModelNotFound(string model) =>
        Create(StatusCodes.Status404NotFound, $"The model '{model}' does not exist.", "invalid_request_error", "model", "model_not_found");

    public static IResult WrongModelKind(string model, string endpoint) =>
        BadRequest($"The model '{model}' cannot be used with {endpoint}.", "model", "model_not_supported");

    public static IResult NotReady() =>
        Create(StatusCodes.Status503ServiceUnavailable, "Models are still loading; retry shortly.", "server_error", code: "model_not_ready");

    /// <summary>The error for an exception a request can cause, or null for a fault of the server.</summary>
    public static OpenAIErrorResponse? FromException(Exception exception, string promptParam, out int status)
    {
        (status, var error) = exception switch
        {
            Safety.PromptRejectedException e => (400, new OpenAIError(e.Message, "invalid_request_error", promptParam, "prompt_rejected")),
            ContextWindowExceededException e => (400, new OpenAIError(e.Message, "invalid_request_error", promptParam, "context_length_exceeded")),
            InvalidPromptException e => (400, new OpenAIError(e.Message, "invalid_request_error", promptParam)),
            ModelBusyException e => (429, new OpenAIError(e.Message, "requests", null, "rate_limit_exceeded")),
            Remote.NoReplicaException e => (503, new OpenAIError(e.Message, "server_error", null, "model_not_ready")),
            NotSupportedException e => (400, new OpenAIError(e.Message, "invalid_request_error")),
            ArgumentException e => (400, new OpenAIError(e.Message, "invalid_request_error", e.ParamName)),
            // A remote provider refused the request: its 4xx is the caller's to fix, anything else is the provider's fault.
            System.ClientModel.ClientResultException { Status: >= 400 and < 500 } e => (e.Status, UpstreamError(e) ?? new OpenAIError(e.Message, "invalid_request_error")),
            Polly.CircuitBreaker.BrokenCircuitException => (503, new OpenAIError(
                "The provider behind this model is failing; its circuit breaker is open and no fallback could answer. Retry shortly.", "server_error", null, "circuit_open")),
            Routing.AttemptTimeoutException e => (504, new OpenAIError(e.Message, "server_error", null, "timeout")),
            System.ClientModel.ClientResultException or HttpRequestException or Polly.Timeout.TimeoutRejectedException
                => (502, new OpenAIError("The provider behind this model failed or is unreachable.", "server_error", null, "upstream_error")),
            _ => (500, (OpenAIError?)null),
        };
        return error is null ? null : new OpenAIErrorResponse(error);
    }

    /// <summary>The error object an OpenAI-compatible provider answered with, passed on as it is.</summary>
    private static OpenAIError? UpstreamError(System.ClientModel.ClientResultException exception)
    {
        try
        {
            return exception.GetRawResponse()?.Content is { } content
                ? System.Text.Json.JsonSerializer.Deserialize(content.ToMemory().Span, OpenAIJsonContext.Default.OpenAIErrorResponse)?.Error
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The error an exception nothing handled answers with: a request the framework rejects keeps its 4xx, anything else unknown is a 500 without internals.</summary>
    public static OpenAIErrorResponse ForUnhandled(Exception exception, out int status)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is BadHttpRequestException bad)
        {
            status = bad.StatusCode;
            return new OpenAIErrorResponse(new OpenAIError(bad.Message, "invalid_request_error"));
        }

        if (FromException(exception, "messages", out status) is { } mapped)
        {
            return mapped;
        }

        status = StatusCodes.Status500InternalServerError;
        return new OpenAIErrorResponse(new OpenAIError("The server had an error while processing your request.", "server_error"));
    }

    public static IResult? TryMap(Exception exception, string promptParam) =>
        FromException(exception, promptParam, out var status) is { } error
            ? RetryAfter.With(TypedResults.Json(error, OpenAIJsonContext.Default.OpenAIErrorResponse, statusCode: status), exception)
            : null;
}
