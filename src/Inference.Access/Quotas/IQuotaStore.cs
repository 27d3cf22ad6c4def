namespace Inference.Access.Quotas;

/// <summary>
/// The counters per-key limits are kept in, shared by every Api replica (Redis) or by this process alone (memory):
/// token buckets for rates, leases for requests running at once, and running sums for spending.
/// </summary>
internal interface IQuotaStore
{
    /// <summary>
    /// Takes <paramref name="amount"/> from the bucket <paramref name="key"/> (holding at most <paramref name="capacity"/>,
    /// refilled at <paramref name="capacity"/> a <paramref name="period"/>) when it holds that much, or always when
    /// <paramref name="force"/> (a correction may take it below zero; a negative amount gives back).
    /// </summary>
    Task<BucketResult> TakeAsync(string key, double amount, double capacity, TimeSpan period, bool force, CancellationToken cancellationToken);

    /// <summary>Holds one of <paramref name="limit"/> slots of <paramref name="key"/> for <paramref name="holder"/> (until released or the lease ends).</summary>
    Task<bool> AcquireAsync(string key, string holder, int limit, TimeSpan lease, CancellationToken cancellationToken);

    Task ReleaseAsync(string key, string holder);

    /// <summary>The running sum <paramref name="key"/>, or null when it does not exist (never counted, or its store was lost).</summary>
    Task<long?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Starts the sum at <paramref name="value"/> unless it exists; returns what it holds.</summary>
    Task<long> InitializeAsync(string key, long value, DateTimeOffset expires, CancellationToken cancellationToken);

    /// <summary>Adds to the sum (starting it at 0).</summary>
    Task<long> AddAsync(string key, long delta, DateTimeOffset expires, CancellationToken cancellationToken);
}

/// <param name="Allowed">The amount was taken.</param>
/// <param name="Remaining">What the bucket holds now.</param>
/// <param name="Reset">Until the bucket is full again.</param>
/// <param name="RetryAfter">When refused: until it holds the amount asked for.</param>
internal readonly record struct BucketResult(bool Allowed, double Remaining, TimeSpan Reset, TimeSpan RetryAfter)
{
    /// <summary>The bucket after refilling and (maybe) taking: the same arithmetic in memory and in Redis's script.</summary>
    public static (BucketResult Result, double Tokens) Compute(double tokens, double elapsedMs, double amount, double capacity, TimeSpan period, bool force)
    {
        var ratePerMs = capacity / period.TotalMilliseconds;
        tokens = Math.Min(capacity, tokens + (Math.Max(0, elapsedMs) * ratePerMs));
        var allowed = force || tokens >= amount;
        if (allowed)
        {
            tokens -= amount;
        }

        return (After(allowed, tokens, amount, capacity, period), tokens);
    }

    /// <summary>The answer for a bucket holding <paramref name="tokens"/> once <paramref name="amount"/> was (or was not) taken.</summary>
    public static BucketResult After(bool allowed, double tokens, double amount, double capacity, TimeSpan period)
    {
        var ratePerMs = capacity / period.TotalMilliseconds;
        var reset = TimeSpan.FromMilliseconds(Math.Max(0, (capacity - tokens) / ratePerMs));
        var retry = allowed ? TimeSpan.Zero : TimeSpan.FromMilliseconds((amount - tokens) / ratePerMs);
        return new BucketResult(allowed, tokens, reset, retry);
    }
}
