namespace Inference.Transports.Nats;

/// <summary>
/// An OpenAI-compatible call carried over NATS: the route in a header, the body as it would be posted, answered with
/// the status in a header and the body the route answers (or, streamed, each server-sent event's data in a message).
/// </summary>
public static class NatsRoutes
{
    /// <summary>The route the body is for: /v1/chat/completions, /v1/completions or /v1/embeddings.</summary>
    public const string RouteHeader = "Inference-Route";

    /// <summary>The HTTP method of a call carried to a replica's own routes.</summary>
    public const string MethodHeader = "Inference-Method";

    /// <summary>The path prefix that names one replica of a server: <c>nats://host:port/replicas/NAME/...</c>.</summary>
    public const string ReplicasPath = "/replicas/";

    /// <summary>The HTTP status the answer stands for.</summary>
    public const string StatusHeader = "Inference-Status";

    /// <summary>The routes each subject answers.</summary>
    public static readonly IReadOnlyList<string> ChatRoutes = ["/v1/chat/completions", "/v1/completions"];

    public static readonly IReadOnlyList<string> EmbeddingRoutes = ["/v1/embeddings"];

    /// <summary>The last data of a streamed answer, as OpenAI's streams end.</summary>
    public const string Done = "[DONE]";

    /// <summary>The address of the replica <paramref name="name"/> on <paramref name="server"/>: <c>nats://host:port/replicas/NAME/</c>.</summary>
    public static Uri ReplicaAddress(Uri server, string name) => new($"nats://{server.Authority}{ReplicasPath}{Uri.EscapeDataString(name)}/");

    /// <summary>The replica a path names (<c>/replicas/NAME/rest</c>) and the rest; or none and the path.</summary>
    internal static (string? Replica, string Path) ReplicaOf(string path)
    {
        if (!path.StartsWith(ReplicasPath, StringComparison.Ordinal))
        {
            return (null, path);
        }

        var rest = path[ReplicasPath.Length..];
        var slash = rest.IndexOf('/');
        return slash <= 0 ? (rest.Length > 0 ? rest : null, "/") : (Uri.UnescapeDataString(rest[..slash]), rest[slash..]);
    }
}
