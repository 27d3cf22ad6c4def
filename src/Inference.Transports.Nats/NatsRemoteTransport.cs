using System.Text.Json;
using Inference.Serving.Remote;
using NATS.Client.Core;

namespace Inference.Transports.Nats;

/// <summary>
/// Remote models at <c>Endpoint=nats://host:port</c>: their calls go through <see cref="NatsHttpHandler"/>; a model's
/// replicas are found by asking <c>models.MODEL.replicas</c>, each answering with its name, and addressed as
/// <c>nats://host:port/replicas/NAME/</c>.
/// </summary>
internal sealed class NatsRemoteTransport(NatsConnections connections) : IRemoteModelTransport
{
    public const string ClientName = "inference-remote-nats";

    public string Scheme => "nats";

    public string HttpClientName => ClientName;

    public async Task<IReadOnlyList<Uri>> ReplicasAsync(Uri server, string model, int expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var nats = await connections.GetAsync(server);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (names.Count < expected && DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                var replies = nats.RequestManyAsync<byte[], byte[]>(NatsSubjects.Replicas(model), [], replyOpts: new NatsSubOpts
                {
                    StartUpTimeout = TimeSpan.FromSeconds(1),
                    IdleTimeout = TimeSpan.FromMilliseconds(300),
                    Timeout = TimeSpan.FromSeconds(2),
                }, cancellationToken: cancellationToken);
                await foreach (var reply in replies)
                {
                    if (!reply.HasNoResponders && reply.Data is { Length: > 0 } data
                        && JsonDocument.Parse(data).RootElement.TryGetProperty("replica", out var name) && name.GetString() is { Length: > 0 } replica)
                    {
                        names.Add(replica);
                    }
                }
            }
            catch (NatsNoRespondersException)
            {
                // None subscribed yet (the Workers still loading): asked again.
            }

            if (names.Count < expected)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }

        return [.. names.Select(name => NatsRoutes.ReplicaAddress(server, name))];
    }
}
