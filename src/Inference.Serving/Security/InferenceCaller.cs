using System.Security.Claims;
using Inference.Serving.Routing;
using Microsoft.AspNetCore.Http;

namespace Inference.Serving.Security;

/// <summary>
/// The authenticated caller of a request (an API key or a token): its id, tenant, scopes and the models it may use.
/// Null when authentication is off or the route is open: then nothing is restricted.
/// </summary>
public sealed record InferenceCaller(string KeyId, string Name, string Tenant, IReadOnlySet<string> Scopes, IReadOnlySet<string>? Models)
{
    public bool IsAdmin => Scopes.Contains(Security.Scopes.Admin);

    /// <summary>The caller of this request, read from its authenticated identity.</summary>
    public static InferenceCaller? Of(HttpContext? http) => http is null ? null : Of(http.User);

    public static InferenceCaller? Of(ClaimsPrincipal? user)
    {
        if (user?.Identity is not { IsAuthenticated: true } identity || user.FindFirst(Security.Scopes.KeyIdClaimType) is not { } keyId)
        {
            return null;
        }

        var models = user.FindAll(Security.Scopes.ModelClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new InferenceCaller(
            keyId.Value,
            identity.Name ?? keyId.Value,
            user.FindFirst(Security.Scopes.TenantClaimType)?.Value ?? keyId.Value,
            user.FindAll(Security.Scopes.ClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
            models.Count == 0 ? null : models);
    }

    /// <summary>
    /// The identity work done later on a caller's behalf runs as (a job's or a batch's items): its key and tenant, so its
    /// calls are audited and counted as the caller's. Null when the work has no owner (made with authentication off).
    /// </summary>
    public static ClaimsPrincipal? Principal(string? keyId, string? tenant) => keyId is null
        ? null
        : new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, keyId), new Claim(Security.Scopes.KeyIdClaimType, keyId), new Claim(Security.Scopes.TenantClaimType, tenant ?? keyId), new Claim(Security.Scopes.ClaimType, Security.Scopes.Inference)],
            "owner"));

    /// <summary>True when the caller may call <paramref name="model"/> (a name, or <c>name:version</c>).</summary>
    public bool MayUse(string model) => Models is null || IsAdmin || Models.Contains(model) || Models.Contains(ModelReference.Parse(model).Name);

    /// <summary>True when no caller is known (authentication off) or the caller may call <paramref name="model"/>.</summary>
    public static bool MayUse(HttpContext? http, string model) => Of(http) is not { } caller || caller.MayUse(model);

    /// <summary>The tenant whose data the caller sees: null for everyone's (admin, or authentication off).</summary>
    public static string? TenantFilter(HttpContext? http) => Of(http) is { IsAdmin: false } caller ? caller.Tenant : null;
}
