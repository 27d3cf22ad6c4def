using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InferenceAspire.AppHost;

/// <summary>
/// Healthy once a server on <paramref name="endpoint"/> answers its protocol's PING: redis-server (<c>+PONG</c>), or
/// nats-server (its <c>INFO</c> greeting, then <c>PONG</c>).
/// </summary>
internal sealed class PingHealthCheck(EndpointReference endpoint, string server, string greeting, string ping, string pong) : IHealthCheck
{
    public static PingHealthCheck Redis(EndpointReference endpoint) => new(endpoint, "redis-server", "", "PING\r\n", "+PONG");

    public static PingHealthCheck Nats(EndpointReference endpoint) => new(endpoint, "nats-server", "INFO ", "CONNECT {\"verbose\":false}\r\nPING\r\n", "PONG");

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var greeted = greeting.Length == 0 || (await reader.ReadLineAsync(cancellationToken))?.StartsWith(greeting, StringComparison.Ordinal) == true;
            await stream.WriteAsync(Encoding.ASCII.GetBytes(ping), cancellationToken);
            var answer = await reader.ReadLineAsync(cancellationToken);
            return greeted && answer?.StartsWith(pong, StringComparison.Ordinal) == true
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{server} did not answer PING.");
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"{server} is not reachable yet.", ex);
        }
    }
}
