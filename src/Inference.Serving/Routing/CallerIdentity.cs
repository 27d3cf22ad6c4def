using Microsoft.AspNetCore.Http;

namespace Inference.Serving.Routing;

/// <summary>
/// Who a request is for, to keep a caller on one side of a traffic split: the end user the request names (OpenAI's
/// <c>user</c>, or an <c>x-user-id</c> header), else the authenticated caller, else the client's address.
/// </summary>
public static class CallerIdentity
{
    public const string Header = "x-user-id";

    public static string? Of(HttpContext? http, string? user = null)
    {
        if (!string.IsNullOrWhiteSpace(user))
        {
            return user;
        }

        if (http is null)
        {
            return null;
        }

        if (http.Request.Headers[Header].ToString() is { Length: > 0 } header)
        {
            return header;
        }

        return http.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : http.Connection.RemoteIpAddress?.ToString();
    }
}
