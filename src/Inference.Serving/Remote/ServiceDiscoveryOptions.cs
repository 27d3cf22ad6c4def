namespace Inference.Serving.Remote;

/// <summary>
/// The services whose models the gateway serves when an Aspire AppHost references them (<c>services:worker</c>,
/// <c>services:embeddings</c>): each service's <c>/v1/models</c> is read at start (<c>Inference:Discovery</c>).
/// </summary>
public sealed class ServiceDiscoveryOptions
{
    /// <summary>The service name of the Worker (chat models).</summary>
    public string Worker { get; set; } = "worker";

    /// <summary>The service name of the Embeddings service.</summary>
    public string Embeddings { get; set; } = "embeddings";

    /// <summary>
    /// How the Worker's chat models are reached once listed: http (its referenced address), or nats (its models'
    /// subjects on the server of <c>ConnectionStrings:nats</c>, so that its replicas share the calls in their queue group).
    /// </summary>
    public string WorkerTransport { get; set; } = "http";

    /// <summary>
    /// With <see cref="WorkerTransport"/> nats: the Worker replicas to wait for at start. Above 1, each chat model is
    /// served by its replicas addressed one by one (by name on NATS), so rolling deployments and least-loaded routing
    /// work as with configured replicas.
    /// </summary>
    public int WorkerReplicas { get; set; } = 1;

    /// <summary>How long to wait at start for a referenced service to answer before failing.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);
}
