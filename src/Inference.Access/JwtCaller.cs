using System.Security.Claims;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Inference.Access;

/// <summary>
/// Maps a validated token to the caller every route knows (the claims an API key gives): its scopes from <c>scope</c>
/// or <c>scp</c>, its tenant from <c>tenant</c> or <c>tid</c> (else its subject), its models from <c>models</c>, and
/// <c>jwt:{sub}</c> as the id limits and usage are counted by. A token without a known scope is refused.
/// </summary>
internal static class JwtCaller
{
    public static Task OnTokenValidated(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var subject = principal.FindFirst("sub")?.Value ?? principal.FindFirst("client_id")?.Value ?? principal.FindFirst("azp")?.Value;
        var scopes = principal.FindAll("scope").Concat(principal.FindAll("scp"))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(Scopes.All.Contains)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (subject is null || scopes.Count == 0)
        {
            context.Fail("The token names no subject or no known scope (inference, admin, metrics).");
            return Task.CompletedTask;
        }

        var tenant = principal.FindFirst("tenant")?.Value ?? principal.FindFirst("tid")?.Value ?? subject;
        var models = principal.FindAll("models").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, subject), new Claim(Scopes.TenantClaimType, tenant), new Claim(Scopes.KeyIdClaimType, "jwt:" + subject),
                .. scopes.Select(s => new Claim(Scopes.ClaimType, s)), .. models.Select(m => new Claim(Scopes.ModelClaimType, m)),
            ],
            JwtBearerDefaults.AuthenticationScheme,
            ClaimTypes.Name,
            ClaimTypes.Role);
        context.Principal = new ClaimsPrincipal(identity);
        return Task.CompletedTask;
    }
}
