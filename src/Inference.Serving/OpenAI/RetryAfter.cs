using Microsoft.AspNetCore.Http;

namespace Inference.Serving.OpenAI;

/// <summary>When a refused call may be tried again: a full queue or a model without replicas soon, an open breaker when it may probe.</summary>
internal static class RetryAfter
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(1);

    public static TimeSpan? Of(Exception exception) => exception switch
    {
        ModelBusyException or Remote.NoReplicaException => Soon,
        Polly.CircuitBreaker.BrokenCircuitException broken => broken.RetryAfter is { } after && after > Soon ? after : Soon,
        _ => null,
    };

    public static void Set(HttpResponse response, TimeSpan retryAfter) =>
        response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><paramref name="result"/>, with a <c>Retry-After</c> when <paramref name="exception"/> calls for one.</summary>
    public static IResult With(IResult result, Exception exception) => Of(exception) is { } after ? new RetryAfterResult(result, after) : result;
}
