namespace Inference.Serving.Remote;

/// <summary>
/// A way to reach our Worker and Embeddings services other than HTTP, chosen by a remote model's endpoint scheme
/// (<c>Endpoint=nats://host:port</c>): its named HttpClient carries the OpenAI-compatible calls over that transport, so
/// every provider behaviour (streaming, tools, structured output) is the HTTP provider's. Registered by the transport's
/// module; the serving core knows none by name.
/// </summary>
public interface IRemoteModelTransport
{
    /// <summary>The endpoint scheme it serves, e.g. nats.</summary>
    string Scheme { get; }

    /// <summary>The HttpClient whose handler sends requests over the transport.</summary>
    string HttpClientName { get; }

    /// <summary>
    /// The Worker replicas that serve <paramref name="model"/> on <paramref name="server"/>, each as the address its own
    /// calls go to, once <paramref name="expected"/> answer or <paramref name="timeout"/> passes (those that answered).
    /// </summary>
    Task<IReadOnlyList<Uri>> ReplicasAsync(Uri server, string model, int expected, TimeSpan timeout, CancellationToken cancellationToken);
}
