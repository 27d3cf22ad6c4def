namespace Inference.Transports.Nats;

/// <summary>How a service answers and reports on NATS (<c>Inference:Nats</c>); the server is <c>ConnectionStrings:nats</c>.</summary>
public sealed class NatsOptions
{
    public const string SectionName = "Inference:Nats";

    /// <summary>The connection string's name, as Aspire gives it (<c>nats://host:port</c>).</summary>
    public const string ConnectionName = "nats";

    /// <summary>The queue group every replica joins on a model's subject, so that each request goes to one of them.</summary>
    public string QueueGroup { get; set; } = "inference";

    /// <summary>This replica's name on its own subjects (<c>inference.request.MODEL.REPLICA</c>); the host and process by default.</summary>
    public string? Replica { get; set; }

    /// <summary>How often each model's heartbeat is published on <c>models.MODEL.heartbeat</c>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a model's load is published on <c>monitoring.inference.MODEL</c> while nothing waits.</summary>
    public TimeSpan MonitoringIdleInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a model's load is published while requests wait.</summary>
    public TimeSpan MonitoringBusyInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the gateway's calls over NATS wait for the first reply (the model's queue included) and then for each
    /// next piece of a stream; past it the call ends as a gateway timeout, so a replica that died is not waited on forever.
    /// </summary>
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A request message larger than this is answered with an error, unread.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;
}
