using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Inference.Storage.Data;
using Inference.Lifecycle;
using Inference.Serving.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Inference.Access;

/// <summary>
/// API keys in the metadata database: created with a random secret shown once (only its SHA-256 is stored), listed,
/// revoked; looked up by the hash of what a caller sends, trusted for <see cref="AuthOptions.KeyCacheDuration"/>.
/// </summary>
internal sealed class ApiKeys(IDbContextFactory<MetadataDbContext> contexts, IOptions<AuthOptions> options, TimeProvider time)
{
    public const string SecretPrefix = "ia_";
    private readonly ConcurrentDictionary<string, (ApiKey? Key, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async Task<(ApiKey Key, string Secret)> CreateAsync(CreateApiKeyRequest request, CancellationToken cancellationToken)
    {
        var (name, scopes, models, tenant, expires) = (request.Name, request.Scopes, request.Models, request.Tenant, request.ExpiresAt);
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            throw ControlPlaneException.BadRequest("name is required (at most 200 characters).");
        }

        scopes ??= [Scopes.Inference];
        if (scopes.Count == 0 || scopes.Any(s => !Scopes.All.Contains(s)))
        {
            throw ControlPlaneException.BadRequest($"scopes must be some of {string.Join(", ", Scopes.All)}.");
        }

        if (models is { } allowed && allowed.Any(m => string.IsNullOrWhiteSpace(m) || m.Contains(' ', StringComparison.Ordinal)))
        {
            throw ControlPlaneException.BadRequest("models must be model names.");
        }

        var now = time.GetUtcNow();
        if (expires is { } at && at <= now)
        {
            throw ControlPlaneException.BadRequest("expires_at must be in the future.");
        }

        var limits = request.Limits ?? new ApiKeyLimits();
        if (limits.RequestsPerMinute <= 0 || limits.TokensPerMinute <= 0 || limits.MaxConcurrentRequests <= 0 || limits.MaxPromptTokens <= 0)
        {
            throw ControlPlaneException.BadRequest("limits must be positive numbers (leave one out for no limit).");
        }

        if (request.Budget is { } budget && (budget.Amount < 0 || budget.Period is not (null or BudgetPeriods.Day or BudgetPeriods.Month)))
        {
            throw ControlPlaneException.BadRequest("budget needs an amount of at least 0 and a period of day or month.");
        }

        if (request.OverflowModel is { } overflow && (string.IsNullOrWhiteSpace(overflow) || overflow.Length > 200 || overflow.Contains(' ', StringComparison.Ordinal)))
        {
            throw ControlPlaneException.BadRequest("overflow_model must be a model name.");
        }

        var secret = SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = new ApiKey
        {
            Id = "key-" + Guid.CreateVersion7(now).ToString("N"),
            Name = name,
            Prefix = secret[..10],
            Hash = Hash(secret),
            Scopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal)),
            Models = models is { Count: > 0 } ? string.Join(' ', models) : null,
            Tenant = string.IsNullOrWhiteSpace(tenant) ? name : tenant,
            Created = now,
            Expires = expires,
            RequestsPerMinute = limits.RequestsPerMinute,
            TokensPerMinute = limits.TokensPerMinute,
            MaxConcurrentRequests = limits.MaxConcurrentRequests,
            MaxPromptTokens = limits.MaxPromptTokens,
            Budget = request.Budget?.Amount,
            BudgetPeriod = request.Budget is null ? null : request.Budget.Period ?? BudgetPeriods.Month,
            OverflowModel = request.OverflowModel,
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret);
    }

    public async Task<List<ApiKey>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().ToListAsync(cancellationToken);
        return [.. keys.OrderBy(k => k.Created)];
    }

    public async Task RevokeAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken) ?? throw ControlPlaneException.NotFound($"No key '{id}'.");
        key.Revoked ??= now;
        await db.SaveChangesAsync(cancellationToken);
        _cache.TryRemove(key.Hash, out _);
    }

    /// <summary>The live key (not revoked, not expired) whose secret this is, or null.</summary>
    public async Task<ApiKey?> FindAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = Hash(secret);
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue(hash, out var cached) || cached.Until < now)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            cached = (await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Hash == hash, cancellationToken), now + options.Value.KeyCacheDuration);
            _cache[hash] = cached;
        }

        return cached.Key is { Revoked: null } key && (key.Expires is null || key.Expires > now) ? key : null;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
