namespace Inference.Jobs;

/// <summary>Asynchronous inference jobs (<c>Inference:Jobs</c>).</summary>
public sealed class JobOptions
{
    public const string SectionName = "Inference:Jobs";

    /// <summary>False leaves this service's replica out of the work (jobs are still accepted and kept).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Items this replica runs at once.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>How long a replica holds an item it took; one that dies leaves it to another after this.</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often waiting items are looked for when none was signalled.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Items one job may hold.</summary>
    public int MaxItems { get; set; } = 10_000;

    /// <summary>Tries of an item whose model is busy or unreachable (429, 502, 503, 504) before it is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The key a job's completion webhook is signed with (HMAC-SHA256); null sends it unsigned.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Deliveries of a webhook that fails (not 2xx, or unreachable) before it is given up.</summary>
    public int WebhookMaxAttempts { get; set; } = 8;

    /// <summary>The wait after a webhook's first failed delivery; it doubles after each further one.</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one delivery may take.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>With Redis configured, items are announced in a Redis stream read by a consumer group (see <see cref="RedisJobQueue"/>).</summary>
    public bool UseRedisStreams { get; set; } = true;

    /// <summary>
    /// Where items are announced: <c>redis</c> (Redis Streams, when Redis is configured and <see cref="UseRedisStreams"/>),
    /// <c>nats</c> (a JetStream work queue on <c>ConnectionStrings:nats</c>, see <see cref="NatsJobQueue"/>), or
    /// <c>database</c> (the database alone). One queue per deployment: every replica must name the same.
    /// </summary>
    public string Queue { get; set; } = "redis";

    /// <summary>
    /// While the stream is in use, how often the database is searched for waiting items too (those Redis never took,
    /// or lost, and those waiting to be tried again); without it, every <see cref="PollInterval"/>.
    /// </summary>
    public TimeSpan DatabasePollInterval { get; set; } = TimeSpan.FromSeconds(10);
}
