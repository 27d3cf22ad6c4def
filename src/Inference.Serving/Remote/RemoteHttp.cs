namespace Inference.Serving.Remote;

/// <summary>
/// The HttpClient and http address a remote address is called with: an http(s) address as it is, on the remote
/// models' client; an address of another transport (<c>nats://host:port/...</c>) as http, on that transport's client,
/// whose handler carries the request. Every call to our services goes through here: models, replicas' control and
/// health routes, forwarded requests.
/// </summary>
public sealed class RemoteHttp(IHttpClientFactory httpClients, IEnumerable<IRemoteModelTransport> transports)
{
    /// <summary>The schemes a remote address may have here.</summary>
    public IReadOnlyList<string> Schemes { get; } = ["http", "https", .. transports.Select(t => t.Scheme)];

    public (HttpClient Client, Uri Address) For(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme is "http" or "https")
        {
            return (httpClients.CreateClient(RemoteModelFactory.HttpClientName), address);
        }

        var transport = transports.FirstOrDefault(t => t.Scheme == address.Scheme)
            ?? throw new InferenceConfigurationException($"{address}: no transport for {address.Scheme} addresses is added here.");
        return (httpClients.CreateClient(transport.HttpClientName), new UriBuilder(address) { Scheme = Uri.UriSchemeHttp }.Uri);
    }
}
