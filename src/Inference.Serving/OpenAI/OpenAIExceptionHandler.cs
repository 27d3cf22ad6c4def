using System.Text.Json;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Inference.Serving.OpenAI;

/// <summary>
/// Unhandled exceptions on <c>/v1</c> answer in OpenAI's error format (other paths fall through to problem details):
/// a request the framework rejects keeps its 4xx status; anything else is a 500 without internals.
/// </summary>
internal sealed class OpenAIExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!httpContext.Request.Path.StartsWithSegments("/v1") || httpContext.Response.HasStarted)
        {
            return false;
        }

        var error = OpenAIErrors.ForUnhandled(exception, out var status);
        httpContext.Response.StatusCode = status;
        if (RetryAfter.Of(exception) is { } after)
        {
            RetryAfter.Set(httpContext.Response, after);
        }

        httpContext.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(httpContext.Response.Body, error, OpenAIJsonContext.Default.OpenAIErrorResponse, cancellationToken);
        return true;
    }
}
