using Inference.Metadata.Quotas;
using Inference.Metadata.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class SecurityExtensions
{
    /// <summary>
    /// API keys (<c>Inference:Auth</c>): with <c>Enabled</c>, every route needs a key with the scope it names
    /// (<see cref="Inference.Serving.Security.RequiredScope"/>: inference unless admin or metrics; health endpoints are
    /// open); off, everything is open and the log says so at start.
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
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<IAuthorizationHandler, ScopeRequirement>();
        builder.Services.AddAuthorization(o =>
        {
            if (enabled)
            {
                // Every route (but those marked anonymous) needs a caller with the scope the route names: inference
                // unless it asks for admin or metrics (RequiredScope). Off, nothing asks for a key.
                o.FallbackPolicy = new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName)
                    .RequireAuthenticatedUser().AddRequirements(new ScopeRequirement()).Build();
            }
        });
        return builder;
    }
}
