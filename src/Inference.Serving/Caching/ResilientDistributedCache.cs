using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Caching;

/// <summary>
/// The response cache in front of Redis (or memory): a failing cache is a miss, never a failed request, and after a
/// failure the cache is left alone for <see cref="ResponseCacheOptions.RetryAfter"/> so requests don't wait on it.
/// Entries get the configured time to live; hits, misses and errors are counted.
/// </summary>
internal sealed partial class ResilientDistributedCache(
    IDistributedCache inner,
    IOptions<ResponseCacheOptions> options,
    TimeProvider time,
    ILogger<ResilientDistributedCache> logger,
    Events.OperationalEvents? events = null) : IDistributedCache
{
    public const string MeterName = "Inference.Serving.Cache";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Hits = Meter.CreateCounter<long>("inference.cache.hits", "{request}", "Responses served from the cache.");
    private static readonly Counter<long> Misses = Meter.CreateCounter<long>("inference.cache.misses", "{request}", "Cacheable responses not found in the cache.");
    private static readonly Counter<long> Errors = Meter.CreateCounter<long>("inference.cache.errors", "{operation}", "Cache operations that failed and were bypassed.");

    private long _skipUntilTicks;
    private int _down;

    /// <summary>False while the cache is being bypassed after a failure.</summary>
    public bool IsAvailable => time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _skipUntilTicks);

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var value = await Guard(() => inner.GetAsync(key, token), default(byte[])).ConfigureAwait(false);
        (value is null ? Misses : Hits).Add(1);
        return value;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions entry, CancellationToken token = default)
    {
        if (entry.AbsoluteExpiration is null && entry.AbsoluteExpirationRelativeToNow is null && entry.SlidingExpiration is null)
        {
            entry = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = options.Value.TimeToLive };
        }

        return Guard(async () => { await inner.SetAsync(key, value, entry, token).ConfigureAwait(false); return true; }, false);
    }

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public Task RefreshAsync(string key, CancellationToken token = default) =>
        Guard(async () => { await inner.RefreshAsync(key, token).ConfigureAwait(false); return true; }, false);

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public Task RemoveAsync(string key, CancellationToken token = default) =>
        Guard(async () => { await inner.RemoveAsync(key, token).ConfigureAwait(false); return true; }, false);

    private async Task<T> Guard<T>(Func<Task<T>> operation, T fallback)
    {
        if (!IsAvailable)
        {
            return fallback;
        }

        try
        {
            var result = await operation().ConfigureAwait(false);
            // Read first: a healthy cache's every call should not write the shared flag.
            if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1)
            {
                events?.Info(Events.OperationalEventCodes.CacheRestored, "The response cache answers again.");
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Errors.Add(1);
            if (Interlocked.Exchange(ref _down, 1) == 0)
            {
                events?.Warning(Events.OperationalEventCodes.CacheUnavailable, $"The response cache failed ({ex.GetType().Name}); requests are answered without it, and it is tried again every {options.Value.RetryAfter.TotalSeconds:0.#} s.");
            }

            Interlocked.Exchange(ref _skipUntilTicks, (time.GetUtcNow() + options.Value.RetryAfter).UtcTicks);
            Bypassed(logger, options.Value.RetryAfter.TotalSeconds, ex);
            return fallback;
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "The response cache failed; bypassing it for {Seconds} s")]
    private static partial void Bypassed(ILogger logger, double seconds, Exception exception);
}
