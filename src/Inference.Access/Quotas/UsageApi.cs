using Inference.Http;
using Inference.Storage.Data;
using Inference.Lifecycle;
using Inference.Lifecycle.Registry;
using Inference.Access;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Inference.Access.Quotas;

/// <summary>
/// <c>GET /api/metrics/usage</c> and <c>GET /api/metrics/cost</c>, from the audit log (every replica's
/// calls): per key, model and period (<c>hour</c>, <c>day</c>, <c>month</c>), filtered by <c>key_id</c>, <c>model</c>,
/// <c>since</c> and <c>until</c>. A caller sees its own tenant's usage; admins (and an open service) see everyone's.
/// </summary>
public static class UsageApi
{
    private const int MaxRows = 500_000;

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api/metrics").WithTags("Usage and cost");
        api.MapGet("/usage", UsageAsync).WithSummary("Tokens used per key, model and period.");
        api.MapGet("/cost", CostAsync).WithSummary("Cost per key, model and period, and each key's projection for the period under way.");
        return endpoints;
    }

    private static Task<Results<Ok<UsageResponse>, ProblemHttpResult>> UsageAsync(
        string? period, DateTimeOffset? since, DateTimeOffset? until, string? key_id, string? model, HttpContext http,
        IDbContextFactory<MetadataDbContext> contexts, ModelPrices prices, TimeProvider time) =>
        ControlPlaneProblems.RunAsync(async () =>
        {
            var query = await QueryAsync(period ?? "day", since, until, key_id, model, http, contexts, prices, time);
            return TypedResults.Ok(new UsageResponse(query.Period, query.Since, query.Until, query.Rows, Totals(query.Rows), query.Truncated));
        });

    private static Task<Results<Ok<CostResponse>, ProblemHttpResult>> CostAsync(
        string? period, DateTimeOffset? since, DateTimeOffset? until, string? key_id, string? model, HttpContext http,
        IDbContextFactory<MetadataDbContext> contexts, ModelPrices prices, SpendLedger ledger, TimeProvider time) =>
        ControlPlaneProblems.RunAsync(async () =>
        {
            var query = await QueryAsync(period ?? "month", since, until, key_id, model, http, contexts, prices, time);
            var projections = await ProjectAsync(query, http, contexts, ledger, time);
            return TypedResults.Ok(new CostResponse(query.Period, query.Since, query.Until, query.Rows, query.Rows.Sum(r => r.Cost), projections, query.Truncated));
        });

    private sealed record Query(string Period, DateTimeOffset Since, DateTimeOffset Until, List<UsageRow> Rows, bool Truncated);

    private static async Task<Query> QueryAsync(
        string period, DateTimeOffset? since, DateTimeOffset? until, string? keyId, string? model, HttpContext http,
        IDbContextFactory<MetadataDbContext> contexts, ModelPrices prices, TimeProvider time)
    {
        if (period is not ("hour" or "day" or "month"))
        {
            throw ControlPlaneException.BadRequest($"period must be hour, day or month, not '{period}'.");
        }

        var now = time.GetUtcNow();
        var to = (until ?? now).ToUniversalTime();
        var from = (since ?? Start(period == "month" ? BudgetPeriods.Of(BudgetPeriods.Month, to).Start : to - (period == "hour" ? TimeSpan.FromDays(1) : TimeSpan.FromDays(30)), period)).ToUniversalTime();
        if (from > to)
        {
            throw ControlPlaneException.BadRequest("since must be before until.");
        }

        var tenant = HttpCaller.TenantFilter(http);
        await using var db = await contexts.CreateDbContextAsync(http.RequestAborted);
        var rows = await db.AuditRecords.AsNoTracking()
            .Where(a => a.Timestamp >= from && a.Timestamp <= to
                && (tenant == null || a.Tenant == tenant)
                && (keyId == null || a.KeyId == keyId)
                && (model == null || a.Model == model))
            .Select(a => new { a.KeyId, a.Tenant, a.Model, a.Version, a.Timestamp, a.InputTokens, a.OutputTokens })
            .Take(MaxRows)
            .ToListAsync(http.RequestAborted);
        var grouped = rows
            .GroupBy(r => (r.KeyId, r.Tenant, r.Model, Start: Start(r.Timestamp, period)))
            .Select(g =>
            {
                long input = g.Sum(r => (long)(r.InputTokens ?? 0)), output = g.Sum(r => (long)(r.OutputTokens ?? 0));
                // Each version at its own price.
                var cost = g.GroupBy(r => r.Version).Sum(v => prices.Cost(g.Key.Model, v.Key, v.Sum(r => (long)(r.InputTokens ?? 0)), v.Sum(r => (long)(r.OutputTokens ?? 0))));
                return new UsageRow(g.Key.KeyId, g.Key.Tenant, g.Key.Model, g.Key.Start, g.Count(), input, output, input + output, Math.Round(cost, 6));
            })
            .OrderBy(r => r.PeriodStart).ThenBy(r => r.KeyId, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)
            .ToList();
        return new Query(period, from, to, grouped, rows.Count == MaxRows);
    }

    /// <summary>For each key in the answer: what it has spent in its budget's period under way (a month without one), and at that rate by its end.</summary>
    private static async Task<List<CostProjection>> ProjectAsync(Query query, HttpContext http, IDbContextFactory<MetadataDbContext> contexts, SpendLedger ledger, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var ids = query.Rows.Select(r => r.KeyId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        await using var db = await contexts.CreateDbContextAsync(http.RequestAborted);
        var keys = (await db.ApiKeys.AsNoTracking().Where(k => ids.Contains(k.Id)).ToListAsync(http.RequestAborted)).ToDictionary(k => k.Id, StringComparer.Ordinal);
        var projections = new List<CostProjection>();
        foreach (var group in query.Rows.GroupBy(r => (r.KeyId, r.Tenant)))
        {
            var key = group.Key.KeyId is { } id ? keys.GetValueOrDefault(id) : null;
            var (start, end) = BudgetPeriods.Of(key?.BudgetPeriod ?? BudgetPeriods.Month, now);
            var spent = group.Key.KeyId is { } keyId
                ? await ledger.FromAuditAsync(keyId, start, end, http.RequestAborted)
                : group.Where(r => r.PeriodStart >= start).Sum(r => r.Cost);
            var elapsed = (now - start).TotalSeconds;
            var projected = elapsed <= 0 ? spent : spent * (decimal)((end - start).TotalSeconds / elapsed);
            projections.Add(new CostProjection(
                group.Key.KeyId, group.Key.Tenant, start, end, Math.Round(spent, 6), Math.Round(projected, 6), key?.Budget,
                key?.Budget is { } budget ? Math.Round(budget - spent, 6) : null));
        }

        return projections;
    }

    private static UsageTotals Totals(List<UsageRow> rows) => new(
        rows.Sum(r => r.Requests), rows.Sum(r => r.InputTokens), rows.Sum(r => r.OutputTokens), rows.Sum(r => r.TotalTokens), rows.Sum(r => r.Cost));

    private static DateTimeOffset Start(DateTimeOffset at, string period)
    {
        var utc = at.ToUniversalTime();
        return period switch
        {
            "hour" => new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero),
            "day" => new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero),
        };
    }
}
