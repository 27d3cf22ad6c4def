using System.Text.Json.Serialization;

namespace Inference.Access.Quotas;

/// <summary><c>GET /api/metrics/usage</c>: tokens per key, model and period.</summary>
public sealed record UsageResponse(
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("until")] DateTimeOffset Until,
    [property: JsonPropertyName("usage")] IReadOnlyList<UsageRow> Usage,
    [property: JsonPropertyName("totals")] UsageTotals Totals,
    [property: JsonPropertyName("truncated")] bool Truncated);

public sealed record UsageRow(
    [property: JsonPropertyName("key_id")] string? KeyId,
    [property: JsonPropertyName("tenant")] string? Tenant,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("period_start")] DateTimeOffset PeriodStart,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens,
    [property: JsonPropertyName("total_tokens")] long TotalTokens,
    [property: JsonPropertyName("cost")] decimal Cost);

public sealed record UsageTotals(
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens,
    [property: JsonPropertyName("total_tokens")] long TotalTokens,
    [property: JsonPropertyName("cost")] decimal Cost);

/// <summary><c>GET /api/metrics/cost</c>: cost per key, model and period, and each key's projection for the period under way.</summary>
public sealed record CostResponse(
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("until")] DateTimeOffset Until,
    [property: JsonPropertyName("costs")] IReadOnlyList<UsageRow> Costs,
    [property: JsonPropertyName("total_cost")] decimal TotalCost,
    [property: JsonPropertyName("projections")] IReadOnlyList<CostProjection> Projections,
    [property: JsonPropertyName("truncated")] bool Truncated);

/// <param name="Projected">What the key will have spent by the period's end at the rate it has spent so far.</param>
public sealed record CostProjection(
    [property: JsonPropertyName("key_id")] string? KeyId,
    [property: JsonPropertyName("tenant")] string? Tenant,
    [property: JsonPropertyName("period_start")] DateTimeOffset PeriodStart,
    [property: JsonPropertyName("period_end")] DateTimeOffset PeriodEnd,
    [property: JsonPropertyName("spent")] decimal Spent,
    [property: JsonPropertyName("projected")] decimal Projected,
    [property: JsonPropertyName("budget")] decimal? Budget,
    [property: JsonPropertyName("budget_remaining")] decimal? BudgetRemaining);
