namespace Inference.Access.Quotas;

/// <summary>How per-key limits and budgets are counted (<c>Inference:Quotas</c>).</summary>
public sealed class QuotaOptions
{
    public const string SectionName = "Inference:Quotas";

    /// <summary>The completion tokens a request is assumed to ask for when it names no maximum (corrected once it ends).</summary>
    public int DefaultCompletionTokens { get; set; } = 256;

    /// <summary>How long a running request holds its concurrency slot at most (a replica that dies frees its slots then).</summary>
    public TimeSpan ConcurrencyLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>After Redis fails, how long a replica counts on its own before it tries Redis again.</summary>
    public TimeSpan RedisRetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}
