using System.ClientModel;
using System.Net;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Inference.Serving.Routing;

/// <summary>What a failed call means for routing: the caller's mistake (no fallback), the provider throttling, or the provider failing.</summary>
public enum FailureKind
{
    /// <summary>The request is wrong: a fallback would refuse it too.</summary>
    Request,

    /// <summary>The provider is busy (429, a full queue) or has no replica for the model yet: try a fallback, not a fault of the provider.</summary>
    Throttled,

    /// <summary>The provider failed, timed out or cannot be reached: try a fallback, and count it against the provider's breaker.</summary>
    Unavailable,

    /// <summary>The provider's breaker is open: the call was not made.</summary>
    CircuitOpen,
}

/// <summary>Classifies exceptions from any provider (local engines, OpenAI-compatible endpoints, Ollama).</summary>
public static class ProviderFailure
{
    public static FailureKind Classify(Exception exception) => exception switch
    {
        BrokenCircuitException => FailureKind.CircuitOpen,
        ModelBusyException or Remote.NoReplicaException => FailureKind.Throttled,
        ClientResultException { Status: 429 } => FailureKind.Throttled,
        ClientResultException { Status: 408 or >= 500 or 0 } => FailureKind.Unavailable,
        ClientResultException => FailureKind.Request,
        HttpRequestException { StatusCode: HttpStatusCode.TooManyRequests } => FailureKind.Throttled,
        HttpRequestException { StatusCode: { } status } when (int)status is >= 400 and < 500 and not 408 => FailureKind.Request,
        HttpRequestException or TimeoutRejectedException or AttemptTimeoutException or IOException => FailureKind.Unavailable,
        _ => FailureKind.Request,
    };

    /// <summary>A provider's <c>Retry-After</c> (seconds or a date), when its answer carried one.</summary>
    public static TimeSpan? RetryAfter(Exception exception, DateTimeOffset now)
    {
        if (exception is ModelBusyException)
        {
            return TimeSpan.FromSeconds(1);
        }

        if (exception is ClientResultException result && result.GetRawResponse() is { } response
            && response.Headers.TryGetValue("Retry-After", out var value) && value is not null)
        {
            if (int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(Math.Max(0, seconds));
            }

            if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            {
                return at > now ? at - now : TimeSpan.Zero;
            }
        }

        return null;
    }
}

/// <summary>An attempt took longer than <see cref="RoutingOptions.AttemptTimeout"/> to answer.</summary>
public sealed class AttemptTimeoutException(string model, TimeSpan timeout)
    : TimeoutException($"The model '{model}' did not answer within {timeout.TotalSeconds:0.#} s.");
