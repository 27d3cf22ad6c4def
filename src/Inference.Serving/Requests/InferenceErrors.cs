using System.Text.Json;
using Inference.Serving.Remote;
using Inference.Serving.Routing;
using Inference.Serving.Safety;

namespace Inference.Serving.Requests;

/// <summary>What an exception from serving a request means for its caller: the request's own fault (4xx), a busy or failing provider (429, 502-504), or none known (null: a fault of the server).</summary>
public static class InferenceErrors
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(1);

    /// <param name="promptParam">The request field that carries the prompt, named by errors about it.</param>
    public static InferenceError? FromException(Exception exception, string promptParam)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var error = exception switch
        {
            PromptRejectedException e => InferenceError.Invalid(e.Message, promptParam, "prompt_rejected"),
            ContextWindowExceededException e => InferenceError.Invalid(e.Message, promptParam, "context_length_exceeded"),
            InvalidPromptException e => InferenceError.Invalid(e.Message, promptParam),
            ModelBusyException e => new InferenceError(429, "requests", e.Message, null, "rate_limit_exceeded"),
            NoReplicaException e => new InferenceError(503, InferenceError.ServerError, e.Message, null, "model_not_ready"),
            NotSupportedException e => InferenceError.Invalid(e.Message),
            ArgumentException e => InferenceError.Invalid(e.Message, e.ParamName),
            // A remote provider refused the request: its 4xx is the caller's to fix, anything else is the provider's fault.
            System.ClientModel.ClientResultException { Status: >= 400 and < 500 } e => Upstream(e) ?? new InferenceError(e.Status, InferenceError.InvalidRequest, e.Message),
            Polly.CircuitBreaker.BrokenCircuitException => new InferenceError(503, InferenceError.ServerError,
                "The provider behind this model is failing; its circuit breaker is open and no fallback could answer. Retry shortly.", null, "circuit_open"),
            AttemptTimeoutException e => new InferenceError(504, InferenceError.ServerError, e.Message, null, "timeout"),
            System.ClientModel.ClientResultException or HttpRequestException or Polly.Timeout.TimeoutRejectedException
                => new InferenceError(502, InferenceError.ServerError, "The provider behind this model failed or is unreachable.", null, "upstream_error"),
            _ => null,
        };
        return error is null ? null : error with { RetryAfter = RetryAfter(exception) };
    }

    /// <summary>When a refused call may be tried again: a full queue or a model without replicas soon, an open breaker when it may probe.</summary>
    public static TimeSpan? RetryAfter(Exception exception) => exception switch
    {
        ModelBusyException or NoReplicaException => Soon,
        Polly.CircuitBreaker.BrokenCircuitException broken => broken.RetryAfter is { } after && after > Soon ? after : Soon,
        _ => null,
    };

    /// <summary>The error object an OpenAI-compatible provider answered with, passed on as it is.</summary>
    private static InferenceError? Upstream(System.ClientModel.ClientResultException exception)
    {
        try
        {
            if (exception.GetRawResponse()?.Content is not { } content)
            {
                return null;
            }

            using var document = JsonDocument.Parse(content.ToMemory());
            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? Text(string name) => error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return Text("message") is { } message
                ? new InferenceError(exception.Status, Text("type") ?? InferenceError.InvalidRequest, message, Text("param"), Text("code"))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
