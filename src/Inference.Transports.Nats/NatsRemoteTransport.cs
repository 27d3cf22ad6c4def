using Inference.Serving.Remote;

namespace Inference.Transports.Nats;

/// <summary>Remote models at <c>Endpoint=nats://host:port</c>: their calls go through <see cref="NatsHttpHandler"/>.</summary>
internal sealed class NatsRemoteTransport : IRemoteModelTransport
{
    public const string ClientName = "inference-remote-nats";

    public string Scheme => "nats";

    public string HttpClientName => ClientName;
}
