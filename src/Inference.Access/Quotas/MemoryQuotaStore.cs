using System.Collections.Concurrent;

namespace Inference.Access.Quotas;

/// <summary>The quota counters of one process: what limits hold to without Redis (the embedded default), or while Redis is away.</summary>
internal sealed class MemoryQuotaStore(TimeProvider time) : IQuotaStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (double Tokens, long At)> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Value, DateTimeOffset Expires)> _sums = new(StringComparer.Ordinal);

    public Task<BucketResult> TakeAsync(string key, double amount, double capacity, TimeSpan period, bool force, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            var (tokens, at) = _buckets.TryGetValue(key, out var bucket) ? bucket : (capacity, now);
            var (result, left) = BucketResult.Compute(tokens, time.GetElapsedTime(at, now).TotalMilliseconds, amount, capacity, period, force);
            _buckets[key] = (left, now);
            return Task.FromResult(result);
        }
    }

    public Task<bool> AcquireAsync(string key, string holder, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_slots.TryGetValue(key, out var holders))
            {
                _slots[key] = holders = new(StringComparer.Ordinal);
            }

            foreach (var stale in holders.Where(h => h.Value <= now).Select(h => h.Key).ToList())
            {
                holders.Remove(stale);
            }

            if (holders.Count >= limit)
            {
                return Task.FromResult(false);
            }

            holders[holder] = now + lease;
            return Task.FromResult(true);
        }
    }

    public Task ReleaseAsync(string key, string holder)
    {
        lock (_lock)
        {
            if (_slots.TryGetValue(key, out var holders))
            {
                holders.Remove(holder);
            }
        }

        return Task.CompletedTask;
    }

    public Task<long?> GetAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_sums.TryGetValue(key, out var sum) && sum.Expires > time.GetUtcNow() ? sum.Value : (long?)null);

    public Task<long> InitializeAsync(string key, long value, DateTimeOffset expires, CancellationToken cancellationToken) =>
        Task.FromResult(_sums.AddOrUpdate(key, (value, expires), (_, existing) => existing.Expires > time.GetUtcNow() ? existing : (value, expires)).Value);

    public Task<long> AddAsync(string key, long delta, DateTimeOffset expires, CancellationToken cancellationToken) =>
        Task.FromResult(_sums.AddOrUpdate(key, (delta, expires), (_, existing) => (existing.Value + delta, existing.Expires)).Value);
}
