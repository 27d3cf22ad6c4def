using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Inference.Jobs;

/// <summary>
/// Job items announced in a Redis stream (<c>inference:jobs</c>) read by a consumer group (<c>inference-jobs</c>), one
/// consumer per replica, when the service has Redis (<c>ConnectionStrings:cache</c>): new items reach whichever replica
/// reads first, and an entry a replica took and did not acknowledge (it died) is claimed by another once idle for
/// <see cref="JobOptions.ClaimTimeout"/> (<c>XAUTOCLAIM</c>). The stream only says which items to try: the database
/// decides (its conditional claim and its record over a pending item), so a lost or repeated entry loses or doubles
/// nothing, and while Redis is away the replicas find the items in the database instead.
/// </summary>
internal sealed partial class RedisJobQueue(IServiceProvider services, IOptions<JobOptions> options, ILogger<RedisJobQueue> logger) : IJobQueue
{
    public const string Key = "inference:jobs";
    public const string Group = "inference-jobs";
    private readonly IConnectionMultiplexer? _redis = options.Value.UseRedisStreams && options.Value.Queue == "redis" ? services.GetService<IConnectionMultiplexer>() : null;
    private bool _groupReady;

    /// <summary>True when items go through the stream (Redis configured and <see cref="JobOptions.UseRedisStreams"/>).</summary>
    public bool Enabled => _redis is not null;

    /// <summary>Adds an entry per item, after they are in the database; an item Redis did not take is found there later.</summary>
    public async Task AnnounceAsync(string job, int items)
    {
        if (_redis is null)
        {
            return;
        }

        try
        {
            var db = _redis.GetDatabase();
            for (var start = 0; start < items; start += 500)
            {
                await Task.WhenAll(Enumerable.Range(start, Math.Min(500, items - start))
                    .Select(i => db.StreamAddAsync(Key, [new NameValueEntry("job", job), new NameValueEntry("index", i)])));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.Unavailable(logger, ex.Message);
        }
    }

    /// <summary>Entries for this consumer: first those another consumer left idle too long, then new ones.</summary>
    public async Task<List<QueuedItem>> ReadAsync(string consumer, int count)
    {
        if (_redis is null || count <= 0)
        {
            return [];
        }

        try
        {
            var db = _redis.GetDatabase();
            if (!_groupReady && !await db.KeyExistsAsync(Key))
            {
                // No job announced yet: nothing to read, and no key made in a Redis that may be only a cache.
                return [];
            }

            await EnsureGroupAsync(db);
            var items = new List<QueuedItem>();
            var idle = (long)options.Value.ClaimTimeout.TotalMilliseconds;
            var reclaimed = await db.StreamAutoClaimAsync(Key, Group, consumer, idle, "0-0", count);
            Add(items, reclaimed.ClaimedEntries);
            if (items.Count < count)
            {
                Add(items, await db.StreamReadGroupAsync(Key, Group, consumer, StreamPosition.NewMessages, count - items.Count));
            }

            return items;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // The stream or its group went away (a flushed Redis): made again when the stream is back.
            _groupReady = false;
            return [];
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.Unavailable(logger, ex.Message);
            return [];
        }
    }

    /// <summary>
    /// Done with an entry (its item recorded, or taken by another way): acknowledged and deleted together (one
    /// MULTI/EXEC), so no reader sees it acknowledged and still in the stream.
    /// </summary>
    public async Task AckAsync(QueuedItem item)
    {
        if (_redis is null || item.Handle is not RedisValue id)
        {
            return;
        }

        try
        {
            var transaction = _redis.GetDatabase().CreateTransaction();
            var acknowledged = transaction.StreamAcknowledgeAsync(Key, Group, id);
            var deleted = transaction.StreamDeleteAsync(Key, [id]);
            await transaction.ExecuteAsync();
            await Task.WhenAll(acknowledged, deleted);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Left pending: another consumer claims it when idle, finds the item recorded, and acknowledges it.
            Log.Unavailable(logger, ex.Message);
        }
    }

    private async Task EnsureGroupAsync(IDatabase db)
    {
        if (_groupReady)
        {
            return;
        }

        try
        {
            // From the start: entries added before any replica made the group are read too.
            await db.StreamCreateConsumerGroupAsync(Key, Group, "0-0", createStream: false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another replica made it.
        }

        _groupReady = true;
    }

    private static void Add(List<QueuedItem> items, StreamEntry[] entries)
    {
        foreach (var entry in entries)
        {
            if (entry.IsNull)
            {
                continue;
            }

            var job = entry["job"];
            var index = entry["index"];
            items.Add(new QueuedItem(entry.Id, job.IsNull ? "" : job.ToString(), index.TryParse(out int i) ? i : -1));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The job stream in Redis is unavailable ({Reason}); items are taken from the database meanwhile.")]
        public static partial void Unavailable(ILogger logger, string reason);
    }
}
