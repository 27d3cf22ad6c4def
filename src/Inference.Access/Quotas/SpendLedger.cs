using Inference.Storage.Data;
using Inference.Lifecycle.Registry;
using Inference.Access;
using Microsoft.EntityFrameworkCore;

namespace Inference.Access.Quotas;

/// <summary>
/// What each key has spent in its budget's period, in millionths of the pricing currency, in the quota store. A sum
/// the store does not hold (first use, a Redis that lost it) starts from the audit log, so every replica's calls count.
/// </summary>
internal sealed class SpendLedger(IQuotaStore store, IDbContextFactory<MetadataDbContext> contexts, ModelPrices prices, TimeProvider time)
{
    public const decimal Unit = 1_000_000m;

    public static long ToUnits(decimal money) => (long)Math.Ceiling(money * Unit);

    public decimal Cost(string? model, string? version, long input, long output) => prices.Cost(model, version, input, output);

    /// <summary>The period's sum key, its end, and what it holds.</summary>
    public async Task<(string Key, DateTimeOffset End, long Spent)> SpentAsync(ApiKey key, CancellationToken cancellationToken)
    {
        var (start, end) = BudgetPeriods.Of(key.BudgetPeriod ?? BudgetPeriods.Month, time.GetUtcNow());
        var sum = $"spend:{key.Id}:{start:yyyyMMdd}";
        if (await store.GetAsync(sum, cancellationToken) is { } spent)
        {
            return (sum, end, spent);
        }

        return (sum, end, await store.InitializeAsync(sum, ToUnits(await FromAuditAsync(key.Id, start, end, cancellationToken)), end.AddDays(1), cancellationToken));
    }

    public Task<long> AddAsync(string sum, long units, DateTimeOffset end, CancellationToken cancellationToken) =>
        store.AddAsync(sum, units, end.AddDays(1), cancellationToken);

    /// <summary>What the audit log says the key's calls cost between <paramref name="start"/> and <paramref name="end"/>.</summary>
    public async Task<decimal> FromAuditAsync(string keyId, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.AuditRecords.AsNoTracking()
            .Where(a => a.KeyId == keyId && a.Timestamp >= start && a.Timestamp < end)
            .GroupBy(a => new { a.Model, a.Version })
            .Select(g => new { g.Key.Model, g.Key.Version, Input = g.Sum(a => (long?)a.InputTokens) ?? 0, Output = g.Sum(a => (long?)a.OutputTokens) ?? 0 })
            .ToListAsync(cancellationToken);
        return rows.Sum(r => Cost(r.Model, r.Version, r.Input, r.Output));
    }
}
