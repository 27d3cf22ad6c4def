using Inference.Serving;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Inference.Http;

/// <summary>The HTTP server, as the service's start describes it: the addresses it listens on.</summary>
internal sealed class HttpTransport(IServer server) : IInferenceTransport
{
    public string Description =>
        $"HTTP API listening on {(server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } listening ? string.Join(", ", listening) : "in process")}";
}
