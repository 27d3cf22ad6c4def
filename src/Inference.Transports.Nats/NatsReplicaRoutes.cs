using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace Inference.Transports.Nats;

/// <summary>
/// This replica's own routes on NATS (<c>workers.REPLICA.http</c>): a call carried there (its method and route in
/// headers, its body) is made on this service's HTTP server, and its status and body are the reply. How a gateway
/// loads a version on one replica, waits for it to be ready and lists its models when the replicas share one address
/// (behind an AppHost's proxy) and are told apart only by name.
/// </summary>
internal sealed partial class NatsReplicaRoutes(
    INatsConnection nats, NatsReplica replica, IServer server, IHttpClientFactory httpClients, ILogger<NatsReplicaRoutes> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in nats.SubscribeAsync<byte[]>(NatsSubjects.ReplicaHttp(replica.Name), cancellationToken: stoppingToken))
            {
                _ = Task.Run(() => AnswerAsync(message), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task AnswerAsync(NatsMsg<byte[]> message)
    {
        if (message.ReplyTo is null)
        {
            return;
        }

        var method = message.Headers?.TryGetValue(NatsRoutes.MethodHeader, out var m) == true ? m.ToString() : "GET";
        var route = message.Headers?.TryGetValue(NatsRoutes.RouteHeader, out var r) == true ? r.ToString() : "/";
        int status;
        byte[] body;
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(OwnAddress(), route.TrimStart('/')));
            if (message.Data is { Length: > 0 } data)
            {
                request.Content = new ByteArrayContent(data);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            using var response = await httpClients.CreateClient().SendAsync(request);
            (status, body) = ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or UriFormatException)
        {
            Log.Failed(logger, ex, route);
            (status, body) = (502, System.Text.Encoding.UTF8.GetBytes($"{{\"detail\":\"The replica could not answer {route}: {ex.Message.Replace("\"", "'", StringComparison.Ordinal)}\"}}"));
        }

        await nats.PublishAsync(message.ReplyTo, body, new NatsHeaders { [NatsRoutes.StatusHeader] = status.ToString(CultureInfo.InvariantCulture) });
    }

    /// <summary>The HTTP address this service listens on, as reached from itself.</summary>
    private Uri OwnAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("This service listens on no http address.");
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost")
        {
            uri.Host = "127.0.0.1";
        }

        uri.Path = "/";
        return uri.Uri;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "A call to {Route} carried over NATS could not be made on this replica.")]
        public static partial void Failed(ILogger logger, Exception exception, string route);
    }
}
