using Inference.Metadata.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class SecurityExtensions
{
    /// <summary>
    /// API keys (<c>Inference:Auth</c>): with <c>Enabled</c>, every route needs a key with the inference or admin scope
    /// unless it says otherwise (health endpoints are open, <c>/api/keys</c> needs admin); off, everything is open and
    /// the log says so at start.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceAuth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .Validate(o => o.AdminKey is null || o.AdminKey.Length >= 16, "Inference:Auth:AdminKey must be at least 16 characters.")
            .Validate(o => o.KeyCacheDuration >= TimeSpan.Zero, "Inference:Auth:KeyCacheDuration must not be negative.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ApiKeys>();
        builder.Services.AddHostedService<AuthStartupLog>();
        var enabled = builder.Configuration.GetValue<bool>($"{AuthOptions.SectionName}:Enabled");
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization(o =>
        {
            if (enabled)
            {
                o.AddPolicy(Scopes.AdminPolicy, p => p.RequireAuthenticatedUser().RequireClaim(Scopes.ClaimType, Scopes.Admin));
                o.FallbackPolicy = new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName)
                    .RequireAuthenticatedUser().RequireClaim(Scopes.ClaimType, Scopes.Inference, Scopes.Admin).Build();
            }
            else
            {
                // Off: nothing asks for a key, /api/keys included (there is no one to authenticate).
                o.DefaultPolicy = new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build();
                o.AddPolicy(Scopes.AdminPolicy, p => p.RequireAssertion(_ => true));
            }
        });
        return builder;
    }
}
