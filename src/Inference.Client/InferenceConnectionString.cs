using System.Data.Common;

namespace Inference.Client;

/// <summary>
/// An endpoint in Aspire's connection-string format: <c>Endpoint=http://host:port;Key=...;Model=...</c>. An endpoint
/// without a path is our service's root and gets <c>/v1</c>; one with a path (https://api.groq.com/openai/v1) is used as it is.
/// </summary>
public sealed record InferenceConnectionString(Uri Endpoint, string? Key, string? Model)
{
    public static InferenceConnectionString Parse(string connectionName, string? connectionString) => Parse(connectionName, connectionString, "http", "https");

    /// <summary>As <see cref="Parse(string, string?)"/>, the endpoint's scheme one of <paramref name="schemes"/> (a gateway's NATS endpoints: nats).</summary>
    public static InferenceConnectionString Parse(string connectionName, string? connectionString, params string[] schemes)
    {
        ArgumentNullException.ThrowIfNull(schemes);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} is missing: expected \"Endpoint=http://host:port;Key=...;Model=...\".");
        }

        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} is malformed ({ex.Message}): expected \"Endpoint=http://host:port;Key=...;Model=...\".", ex);
        }

        if (!builder.TryGetValue("Endpoint", out var endpointValue) || endpointValue is not string endpointText
            || !Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || !schemes.Contains(endpoint.Scheme))
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} needs Endpoint=<absolute {(schemes is ["http", "https"] ? "http(s)" : string.Join(" or ", schemes))} URL>.");
        }

        if (endpoint.AbsolutePath is "/" or "")
        {
            endpoint = new Uri(endpoint, "/v1");
        }

        return new InferenceConnectionString(endpoint, Value(builder, "Key"), Value(builder, "Model"));
    }

    private static string? Value(DbConnectionStringBuilder builder, string key) =>
        builder.TryGetValue(key, out var value) && value is string s && s.Length > 0 ? s : null;
}
