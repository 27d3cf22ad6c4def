using System.Security.Claims;
using Inference.Serving.Routing;

namespace Inference.Serving.Security;

/// <summary>
/// The authenticated caller of a request (an API key or a token): its id, tenant, scopes and the models it may use.
/// Null when authentication is off or the route is open: then nothing is restricted.
/// </summary>
public sealed record InferenceCaller(string KeyId, string Name, string Tenant, IReadOnlySet<string> Scopes, IReadOnlySet<string>? Models)
{
    public bool IsAdmin => Scopes.Contains(Security.Scopes.Admin);

    /// <summary>The caller an authenticated identity (an API key's or a token's claims) stands for; null when it is not one.</summary>
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
    /// The caller work done later on a caller's behalf runs as (a job's or a batch's items): its key and tenant, so its
    /// calls are audited and counted as the caller's. Null when the work has no owner (made with authentication off).
    /// </summary>
    public static InferenceCaller? Owner(string? keyId, string? tenant) => keyId is null
        ? null
        : new InferenceCaller(keyId, keyId, tenant ?? keyId, new HashSet<string>(StringComparer.Ordinal) { Security.Scopes.Inference }, null);

    /// <summary>True when the caller may call <paramref name="model"/> (a name, or <c>name:version</c>).</summary>
    public bool MayUse(string model) => Models is null || IsAdmin || Models.Contains(model) || Models.Contains(ModelReference.Parse(model).Name);

    /// <summary>The tenant whose data this caller sees: null for everyone's (admin, or no caller: authentication off).</summary>
    public static string? TenantFilter(InferenceCaller? caller) => caller is { IsAdmin: false } ? caller.Tenant : null;
}
