using Inference.Storage.Data;
using Inference.Lifecycle.Experiments;
using Microsoft.EntityFrameworkCore;

namespace Inference.Lifecycle.Registry;

/// <summary>
/// Performance metrics from audit rows, as the metrics routes report them: per model (and version), the calls, tokens
/// in and out, response times of the calls that succeeded, the share that failed, the share of the requests it was
/// chosen for that a fallback answered, and their cost at each version's price.
/// </summary>
internal static class AuditMetrics
{
    /// <summary>The audit rows one query reads at most; an answer built from that many says it was truncated.</summary>
    public const int MaxRows = 500_000;

    /// <summary>The audit columns the metrics read.</summary>
    public sealed record Row(string Model, string? Version, string Status, int? InputTokens, int? OutputTokens, double LatencyMs, int Attempt, string? FallbackFrom, DateTimeOffset Timestamp);

    /// <summary>The calls of model <paramref name="id"/> (any version), and the fallbacks' answers for requests routed to it.</summary>
    public static IQueryable<AuditRecord> OfModel(IQueryable<AuditRecord> audit, string id)
    {
        var prefix = id + ":";
        return audit.Where(a => a.Model == id || (a.FallbackFrom != null && (a.FallbackFrom == id || a.FallbackFrom.StartsWith(prefix))));
    }

    /// <summary>The rows of <paramref name="audit"/> between two times, at most <see cref="MaxRows"/>.</summary>
    public static Task<List<Row>> ReadAsync(IQueryable<AuditRecord> audit, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        audit.Where(a => a.Timestamp >= from && a.Timestamp <= to)
            .Select(a => new Row(a.Model, a.Version, a.Status, a.InputTokens, a.OutputTokens, a.LatencyMs, a.Attempt, a.FallbackFrom, a.Timestamp))
            .Take(MaxRows)
            .ToListAsync(cancellationToken);

    /// <summary>Whether <paramref name="row"/> is a fallback's answer for a request routed to model <paramref name="id"/> (any of its versions).</summary>
    public static bool StoodInFor(Row row, string id) =>
        row.Model != id && row.FallbackFrom is { } primary && (primary == id || primary.StartsWith(id + ":", StringComparison.Ordinal));

    /// <summary>
    /// The version of model <paramref name="id"/> a fallback's answer stood in for: what the routing table says the
    /// routed id serves (the configured version is served under the bare name), else the version the id names.
    /// </summary>
    public static string? VersionStoodInFor(Row row, string id, Inference.Serving.Routing.RoutingTable table) =>
        row.FallbackFrom is not { } primary ? null
        : table.VersionOf(primary)?.Version ?? (primary.Length > id.Length ? primary[(id.Length + 1)..] : null);

    /// <summary>
    /// The metrics of model <paramref name="id"/> over <paramref name="rows"/>: its own calls, and the fallbacks' answers
    /// for requests routed to it (for the fallback rate).
    /// </summary>
    public static MetricValues Summarize(string id, IReadOnlyCollection<Row> rows, ModelPrices prices)
    {
        var own = rows.Where(r => r.Model == id).ToList();
        var chosen = own.Count(r => r.Attempt == 1);
        var fellBack = rows.Count(r => StoodInFor(r, id) && r.Status == "ok");
        var cost = own.GroupBy(r => r.Version).Sum(v => prices.Cost(id, v.Key, v.Sum(r => (long)(r.InputTokens ?? 0)), v.Sum(r => (long)(r.OutputTokens ?? 0))));
        return Values(own, chosen, fellBack, cost);
    }

    /// <summary>The metrics of every call in <paramref name="rows"/> together: the requests a fallback answered over the requests made.</summary>
    public static MetricValues Total(IReadOnlyCollection<Row> rows, ModelPrices prices)
    {
        var cost = rows.GroupBy(r => (r.Model, r.Version)).Sum(v => prices.Cost(v.Key.Model, v.Key.Version, v.Sum(r => (long)(r.InputTokens ?? 0)), v.Sum(r => (long)(r.OutputTokens ?? 0))));
        return Values([.. rows], rows.Count(r => r.Attempt == 1), rows.Count(r => r.FallbackFrom is not null && r.Status == "ok"), cost);
    }

    private static MetricValues Values(List<Row> calls, int requests, int fellBack, decimal cost)
    {
        var latencies = calls.Where(r => r.Status == "ok").Select(r => r.LatencyMs).ToList();
        return new MetricValues(
            calls.Count,
            calls.Sum(r => (long)(r.InputTokens ?? 0)),
            calls.Sum(r => (long)(r.OutputTokens ?? 0)),
            latencies.Count == 0 ? null : Math.Round(latencies.Average(), 3),
            latencies.Count == 0 ? null : Statistics.Percentile(latencies, 0.95),
            calls.Count == 0 ? 0 : Math.Round((double)calls.Count(r => r.Status == "error") / calls.Count, 6),
            requests == 0 ? 0 : Math.Round((double)fellBack / requests, 6),
            Math.Round(cost, 6));
    }
}
