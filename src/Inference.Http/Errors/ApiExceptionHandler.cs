using Inference.Serving.Requests;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Inference.Http;

/// <summary>
/// Unhandled exceptions on the OpenAI routes (<c>/v1</c>) answer in OpenAI's error format (other paths fall through to
/// problem details): a request the framework rejects keeps its 4xx status, an exception a request can cause its
/// error, anything else is a 500 without internals.
/// </summary>
internal sealed class ApiExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (RouteErrors.FormatOf(httpContext.Request.Path) != ErrorFormat.OpenAI || httpContext.Response.HasStarted)
        {
            return false;
        }

        await ApiErrors.OpenAI(ApiErrors.ForUnhandled(exception)).ExecuteAsync(httpContext);
        return true;
    }
}
