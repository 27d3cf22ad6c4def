using Inference.Serving.Security;
using Microsoft.AspNetCore.Http;

namespace Inference.Http;

/// <summary>Who an HTTP request comes from: the authenticated caller its key or token stands for, and its identity.</summary>
public static class HttpCaller
{
    /// <summary>The header an end user's id comes in, to keep that user on one side of a traffic split.</summary>
    public const string UserHeader = "x-user-id";

    /// <summary>The caller the request's authenticated identity stands for; null when authentication is off or the route is open.</summary>
    public static InferenceCaller? Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return InferenceCaller.Of(http.User);
    }

    /// <summary>True when no caller is known (authentication off) or the caller may call <paramref name="model"/>.</summary>
    public static bool MayUse(HttpContext http, string model) => Of(http) is not { } caller || caller.MayUse(model);

    /// <summary>The tenant whose data the caller sees: null for everyone's (admin, or authentication off).</summary>
    public static string? TenantFilter(HttpContext http) => InferenceCaller.TenantFilter(Of(http));

    /// <summary>Who made the request: the authenticated name, else the client's address.</summary>
    public static string? MadeBy(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : http.Connection.RemoteIpAddress?.ToString();
    }

    /// <summary>
    /// Who the request is for: the end user it names (OpenAI's <c>user</c>, or an <c>x-user-id</c> header), else
    /// <see cref="MadeBy"/>. What keeps a caller on one side of a traffic split, and what the registry records as "by".
    /// </summary>
    public static string? Identity(HttpContext? http, string? user = null)
    {
        if (!string.IsNullOrWhiteSpace(user))
        {
            return user;
        }

        if (http is null)
        {
            return null;
        }

        return http.Request.Headers[UserHeader].ToString() is { Length: > 0 } header ? header : MadeBy(http);
    }
}
