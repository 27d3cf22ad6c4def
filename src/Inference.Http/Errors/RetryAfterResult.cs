using Microsoft.AspNetCore.Http;

namespace Inference.Http;

/// <summary>An error result that also tells the caller when to try again (<c>Retry-After</c>, whole seconds).</summary>
internal sealed class RetryAfterResult(IResult inner, TimeSpan retryAfter) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ApiErrors.SetRetryAfter(httpContext.Response, retryAfter);
        return inner.ExecuteAsync(httpContext);
    }
}
