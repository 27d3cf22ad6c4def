using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Inference.Access.Quotas;

/// <summary>
/// Quota counters in Redis, so every Api replica counts against the same limits: token buckets and leases in Lua
/// scripts (atomic, on Redis's clock), sums as integers. While Redis cannot be reached the replica counts in memory
/// (its own share only) for <see cref="QuotaOptions.RedisRetryAfter"/> and says so once.
/// </summary>
internal sealed partial class RedisQuotaStore(IConnectionMultiplexer redis, MemoryQuotaStore local, TimeProvider time, IOptions<QuotaOptions> options, ILogger<RedisQuotaStore> logger)
    : IQuotaStore
{
    private const string Prefix = "inference:quota:";

    private const string BucketScript = """
        local capacity = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local amount = tonumber(ARGV[3])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or capacity
        local at = tonumber(state[2]) or now
        tokens = math.min(capacity, tokens + math.max(0, now - at) * capacity / period)
        local allowed = 0
        if ARGV[4] == '1' or tokens >= amount then
          tokens = tokens - amount
          allowed = 1
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
        redis.call('PEXPIRE', KEYS[1], math.ceil(period * 2))
        return {allowed, tostring(tokens)}
        """;

    private const string AcquireScript = """
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
          return 0
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
        return 1
        """;

    private DateTimeOffset _localUntil = DateTimeOffset.MinValue;

    public Task<BucketResult> TakeAsync(string key, double amount, double capacity, TimeSpan period, bool force, CancellationToken cancellationToken) =>
        RunAsync(
            async db =>
            {
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(BucketScript, [Prefix + key], [capacity, period.TotalMilliseconds, amount, force ? "1" : "0"]))!;
                var tokens = double.Parse((string)result[1]!, CultureInfo.InvariantCulture);
                return BucketResult.After((int)result[0] == 1, tokens, amount, capacity, period);
            },
            () => local.TakeAsync(key, amount, capacity, period, force, cancellationToken));

    public Task<bool> AcquireAsync(string key, string holder, int limit, TimeSpan lease, CancellationToken cancellationToken) =>
        RunAsync(
            async db => (int)(await db.ScriptEvaluateAsync(AcquireScript, [Prefix + key], [holder, limit, (long)lease.TotalMilliseconds])) == 1,
            () => local.AcquireAsync(key, holder, limit, lease, cancellationToken));

    public Task ReleaseAsync(string key, string holder) =>
        RunAsync(
            async db => await db.SortedSetRemoveAsync(Prefix + key, holder),
            async () =>
            {
                await local.ReleaseAsync(key, holder);
                return true;
            });

    public Task<long?> GetAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(
            async db => (long?)await db.StringGetAsync(Prefix + key),
            () => local.GetAsync(key, cancellationToken));

    public Task<long> InitializeAsync(string key, long value, DateTimeOffset expires, CancellationToken cancellationToken) =>
        RunAsync(
            async db =>
            {
                await db.StringSetAsync(Prefix + key, value, expires - time.GetUtcNow(), When.NotExists);
                return (long)await db.StringGetAsync(Prefix + key);
            },
            () => local.InitializeAsync(key, value, expires, cancellationToken));

    public Task<long> AddAsync(string key, long delta, DateTimeOffset expires, CancellationToken cancellationToken) =>
        RunAsync(
            async db =>
            {
                var sum = await db.StringIncrementAsync(Prefix + key, delta);
                await db.KeyExpireAsync(Prefix + key, expires.UtcDateTime, ExpireWhen.HasNoExpiry);
                return sum;
            },
            () => local.AddAsync(key, delta, expires, cancellationToken));

    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> remote, Func<Task<T>> fallback)
    {
        if (time.GetUtcNow() < _localUntil)
        {
            return await fallback();
        }

        try
        {
            return await remote(redis.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            _localUntil = time.GetUtcNow() + options.Value.RedisRetryAfter;
            LogRedisUnavailable(logger, options.Value.RedisRetryAfter.TotalSeconds, ex.Message);
            return await fallback();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota counters cannot reach Redis ({Error}); this replica counts limits on its own for {Seconds} s.")]
    private static partial void LogRedisUnavailable(ILogger logger, double seconds, string error);
}
