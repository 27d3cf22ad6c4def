using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Inference.Lifecycle.Downloads;

/// <summary>
/// A Hugging Face-style hub: a repository's files from <c>{hub}/api/models/{repo}/tree/{revision}?recursive=true</c>
/// (path, size, and the LFS SHA-256 or git blob id), each downloaded from <c>{hub}/{repo}/resolve/{revision}/{file}</c>.
/// </summary>
internal sealed class HubClient(IHttpClientFactory httpClients, IOptions<HubOptions> options)
{
    public const string HttpClientName = "inference-hub";

    public Uri Endpoint => options.Value.Endpoint;

    public async Task<List<HubFile>> ListAsync(string repository, string revision, CancellationToken cancellationToken)
    {
        var http = Client();
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Get, new Uri(Endpoint, $"api/models/{repository}/tree/{Uri.EscapeDataString(revision)}?recursive=true")));
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
        {
            throw new DownloadException($"The hub at {Endpoint} has no repository '{repository}' at revision '{revision}' (or it needs a token): {(int)response.StatusCode}.");
        }

        response.EnsureSuccessStatusCode();
        var entries = await response.Content.ReadFromJsonAsync<List<TreeEntry>>(cancellationToken) ?? [];
        return [.. entries.Where(e => e.Type == "file" && e.Path is { Length: > 0 }).Select(e => new HubFile(
            e.Path!,
            new Uri(Endpoint, $"{repository}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', e.Path!.Split('/').Select(Uri.EscapeDataString))}"),
            e.Lfs?.Size ?? e.Size,
            e.Lfs?.Oid,
            e.Lfs is null ? e.Oid : null))];
    }

    public HttpClient Client() => httpClients.CreateClient(HttpClientName);

    /// <summary>Adds the hub token to requests for the hub itself, not to other hosts.</summary>
    public HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (options.Value.Token is { Length: > 0 } token && request.RequestUri is { } uri && uri.Host == Endpoint.Host && uri.Port == Endpoint.Port)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private sealed record TreeEntry(
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("path")] string? Path,
        [property: JsonPropertyName("size")] long? Size,
        [property: JsonPropertyName("oid")] string? Oid,
        [property: JsonPropertyName("lfs")] LfsInfo? Lfs);

    private sealed record LfsInfo([property: JsonPropertyName("oid")] string? Oid, [property: JsonPropertyName("size")] long? Size);
}

/// <summary>A download that cannot go on: the hub has no such repository, a file is corrupt, the target exists.</summary>
public sealed class DownloadException(string message) : Exception(message);
