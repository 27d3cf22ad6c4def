using Inference.Access.Quotas;
using Inference.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class AccessExtensions
{
    /// <summary>The scheme every route authenticates with: it forwards to the API key or the JWT handler.</summary>
    public const string CallerScheme = "InferenceCaller";

    private static bool LooksLikeJwt(string authorization) =>
        authorization.StartsWith("Bearer eyJ", StringComparison.OrdinalIgnoreCase) && authorization.AsSpan().Count('.') == 2;

    /// <summary>
    /// Who may call what: API keys and JWTs (<c>Inference:Auth</c>; with <c>Enabled</c>, every route needs a caller with
    /// the scope it names, <see cref="Inference.Http.RequiredScope"/>: inference unless admin or metrics; health
    /// endpoints are open; off, everything is open and the log says so at start), and per-key limits and budgets.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceAccess(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(ApiKeys)))
        {
            return builder; // added already, by a module that needs it
        }

        builder.AddModelLifecycle();
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .Validate(o => o.AdminKey is null || o.AdminKey.Length >= 16, "Inference:Auth:AdminKey must be at least 16 characters.")
            .Validate(o => o.KeyCacheDuration >= TimeSpan.Zero, "Inference:Auth:KeyCacheDuration must not be negative.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ApiKeys>();
        builder.Services.AddHostedService<AuthStartupLog>();

        // Per-key limits and budgets: counted in Redis when the service has it (every replica alike), else in memory.
        builder.Services.AddOptions<QuotaOptions>()
            .BindConfiguration(QuotaOptions.SectionName)
            .Validate(o => o.DefaultCompletionTokens >= 0, "Inference:Quotas:DefaultCompletionTokens must not be negative.")
            .Validate(o => o.ConcurrencyLease > TimeSpan.Zero && o.RedisRetryAfter > TimeSpan.Zero, "Inference:Quotas:ConcurrencyLease and RedisRetryAfter must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<MemoryQuotaStore>();
        builder.Services.TryAddSingleton<IQuotaStore>(sp => sp.GetService<IConnectionMultiplexer>() is { } redis
            ? ActivatorUtilities.CreateInstance<RedisQuotaStore>(sp, redis)
            : sp.GetRequiredService<MemoryQuotaStore>());
        builder.Services.TryAddSingleton<SpendLedger>();
        var enabled = builder.Configuration.GetValue<bool>($"{AuthOptions.SectionName}:Enabled");
        var jwt = builder.Configuration.GetSection(JwtOptions.SectionName).Get<JwtOptions>() ?? new JwtOptions();
        builder.Services.AddOptions<JwtOptions>()
            .BindConfiguration(JwtOptions.SectionName)
            .Validate(o => o.SigningKeys.All(k => JwtOptions.KeyBytes(k).Length >= 32), "Inference:Auth:Jwt:SigningKeys must each be at least 32 bytes.")
            .Validate(o => !o.Enabled || (o.Issuers.Count > 0 && o.Audiences.Count > 0), "Inference:Auth:Jwt needs Issuers and Audiences with its SigningKeys.")
            .ValidateOnStart();

        // One scheme callers meet: a bearer token that is a JWT goes to the JWT handler (when configured), anything else
        // to the API keys; refusals are always the API's own (OpenAI's error on /v1, problem details elsewhere).
        var authentication = builder.Services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "API key or JWT", o =>
            {
                o.ForwardDefaultSelector = http => enabled && jwt.Enabled && LooksLikeJwt(http.Request.Headers.Authorization.ToString())
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName;
                o.ForwardChallenge = ApiKeyAuthenticationHandler.SchemeName;
                o.ForwardForbid = ApiKeyAuthenticationHandler.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (jwt.Enabled)
        {
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuers = jwt.Issuers,
                    ValidAudiences = jwt.Audiences,
                    IssuerSigningKeys = [.. jwt.SigningKeys.Select(k => new SymmetricSecurityKey(JwtOptions.KeyBytes(k)))],
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RequireExpirationTime = true,
                    ClockSkew = jwt.ClockSkew,
                };
                o.Events = new JwtBearerEvents { OnTokenValidated = JwtCaller.OnTokenValidated };
            });
        }

        builder.Services.AddSingleton<IAuthorizationHandler, ScopeRequirement>();
        builder.Services.AddAuthorization(o =>
        {
            if (enabled)
            {
                // Every route (but those marked anonymous) needs a caller with the scope the route names: inference
                // unless it asks for admin or metrics (RequiredScope). Off, nothing asks for a key.
                o.FallbackPolicy = new AuthorizationPolicyBuilder(CallerScheme)
                    .RequireAuthenticatedUser().AddRequirements(new ScopeRequirement()).Build();
            }
        });
        return builder;
    }

    /// <summary>The access routes (<c>/api/keys</c>, <c>/api/metrics/usage</c>, <c>/api/metrics/cost</c>) and the per-key limits on every route after it.</summary>
    public static WebApplication MapInferenceAccess(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<QuotaMiddleware>();
        app.MapApiKeysApi();
        app.MapUsageApi();
        return app;
    }
}
