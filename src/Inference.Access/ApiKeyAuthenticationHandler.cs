using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Inference.Http;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Access;

/// <summary>
/// Authenticates <c>Authorization: Bearer {key}</c> (what the OpenAI and Ollama SDKs send) or <c>x-api-key</c>: the
/// bootstrap admin key, or a live key from <see cref="ApiKeys"/>, as a caller with the key's scopes, tenant and id.
/// Refusals answer in the API's error format (OpenAI's on <c>/v1</c>), never echoing the key.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeys keys,
    IOptions<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string Unverifiable = "inference.auth.unverifiable";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!auth.Value.Enabled)
        {
            // Off: whatever a client sends (SDKs always send some key) is not looked at.
            return AuthenticateResult.NoResult();
        }

        var secret = Request.Headers["x-api-key"].FirstOrDefault();
        if (secret is null && Request.Headers.Authorization.FirstOrDefault() is { } header)
        {
            secret = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
            if (secret is null)
            {
                return AuthenticateResult.Fail("The Authorization header is not a bearer key.");
            }
        }

        if (string.IsNullOrEmpty(secret))
        {
            return AuthenticateResult.NoResult();
        }

        if (secret.Length > 200)
        {
            return AuthenticateResult.Fail("The key is malformed.");
        }

        if (auth.Value.AdminKey is { Length: > 0 } admin && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(admin)))
        {
            return Success("admin", "admin", "admin", Scopes.All);
        }

        Inference.Storage.Data.ApiKey? key;
        try
        {
            key = await keys.FindAsync(secret, Context.RequestAborted);
        }
        catch (Exception ex) when (ControlPlaneProblems.IsUnavailable(ex))
        {
            Context.Items[Unverifiable] = true;
            return AuthenticateResult.Fail("Keys cannot be checked now: the metadata database is unavailable.");
        }

        if (key is null)
        {
            return AuthenticateResult.Fail("The key is unknown, revoked or expired.");
        }

        // The key's limits, for the quota middleware.
        Context.Features.Set(key);
        return Success(key.Id, key.Name, key.Tenant, key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), key.Models?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? []);
    }

    private AuthenticateResult Success(string id, string name, string tenant, IEnumerable<string> scopes, IEnumerable<string>? models = null)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, name), new Claim(Scopes.TenantClaimType, tenant), new Claim(Scopes.KeyIdClaimType, id),
                .. scopes.Select(s => new Claim(Scopes.ClaimType, s)), .. (models ?? []).Select(m => new Claim(Scopes.ModelClaimType, m)),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(Unverifiable))
        {
            Response.Headers.RetryAfter = "1";
            return Refuse(StatusCodes.Status503ServiceUnavailable, "metadata_unavailable", "API keys cannot be checked now; retry shortly.");
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        return Refuse(StatusCodes.Status401Unauthorized, "invalid_api_key",
            "A valid API key is required: send it as 'Authorization: Bearer <key>' or 'x-api-key'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Refuse(StatusCodes.Status403Forbidden, "insufficient_scope", "This key's scopes do not allow this request.");

    private Task Refuse(int status, string code, string message) => Request.Path.StartsWithSegments("/v1")
        ? ApiErrors.OpenAI(status, message, code: code).ExecuteAsync(Context)
        : TypedResults.Problem(message, statusCode: status, title: status switch { 401 => "Unauthorized", 403 => "Forbidden", _ => "Unavailable" }).ExecuteAsync(Context);
}
