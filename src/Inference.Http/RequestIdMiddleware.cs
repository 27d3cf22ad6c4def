using Microsoft.AspNetCore.Http;

namespace Inference.Http;

/// <summary>
/// Gives every request the id the audit log records: the caller's <c>x-request-id</c> when it sends a usable one (a
/// gateway in front keeps its id), else ASP.NET Core's trace identifier; echoed in the response's <c>x-request-id</c>.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "x-request-id";

    /// <summary>The id a request's response carries (and its audit rows).</summary>
    public static string IdOf(HttpContext http) => http.Response.Headers[HeaderName].FirstOrDefault() ?? http.TraceIdentifier;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers[HeaderName] is [{ Length: > 0 and <= 128 } requested] && requested.All(c => c is > ' ' and < (char)127))
        {
            context.TraceIdentifier = requested;
        }

        context.Response.Headers[HeaderName] = context.TraceIdentifier;
        return next(context);
    }
}
