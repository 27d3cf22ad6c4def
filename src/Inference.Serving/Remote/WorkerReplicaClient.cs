using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Inference.Serving.Local;

namespace Inference.Serving.Remote;

/// <summary>
/// Talks to one Worker replica's control and health routes for a rolling deployment: loads a version
/// (<c>PUT /admin/models/{id}</c>), unloads it, waits for <c>/ready</c>, and probes the version with a one-token chat
/// completion. Failures are <see cref="WorkerReplicaException"/>s that say what the replica answered.
/// </summary>
public sealed class WorkerReplicaClient(RemoteHttp remote)
{
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(250);

    public async Task LoadAsync(Uri replica, string id, string path, string? chatTemplate, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            HttpMethod.Put, new Uri(replica, "admin/models/" + Uri.EscapeDataString(id)),
            JsonContent.Create(new LoadModelRequest { ModelPath = path, Kind = "chat", ChatTemplate = chatTemplate }), cancellationToken);
        await EnsureAsync(response, $"loading {id}", cancellationToken);
    }

    /// <summary>Unloads <paramref name="id"/>; true when it was loaded there.</summary>
    public async Task<bool> UnloadAsync(Uri replica, string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, new Uri(replica, "admin/models/" + Uri.EscapeDataString(id)), null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureAsync(response, $"unloading {id}", cancellationToken);
        return true;
    }

    /// <summary>The ids of the models the replica serves now.</summary>
    public async Task<IReadOnlyList<string>> ModelsAsync(Uri replica, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, new Uri(replica, "v1/models"), null, cancellationToken);
        await EnsureAsync(response, "listing models", cancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return [.. json.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString() ?? "")];
    }

    /// <summary>Waits until the replica's readiness check passes (its models loaded, its dependencies up).</summary>
    public async Task WaitReadyAsync(Uri replica, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var response = await SendAsync(HttpMethod.Get, new Uri(replica, "ready"), null, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (WorkerReplicaException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not answering yet.
            }

            await Task.Delay(ReadyPoll, cancellationToken);
        }
    }

    /// <summary>A one-token greedy chat completion on <paramref name="id"/>: the version answers on this replica.</summary>
    public async Task ProbeAsync(Uri replica, string id, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object>
        {
            ["model"] = id,
            ["max_tokens"] = 1,
            ["temperature"] = 0,
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = "ping" } },
        };
        using var response = await SendAsync(HttpMethod.Post, new Uri(replica, "v1/chat/completions"), JsonContent.Create(body), cancellationToken);
        await EnsureAsync(response, $"probing {id}", cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, HttpContent? content, CancellationToken cancellationToken)
    {
        var (http, address) = remote.For(uri);
        using var request = new HttpRequestMessage(method, address) { Content = content };
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new WorkerReplicaException($"{uri.GetLeftPart(UriPartial.Authority)} cannot be reached: {ex.Message}", ex);
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        // Problem details (our Workers) or OpenAI's error object: the reason, else the raw body.
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var reason = text;
        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            reason = root.TryGetProperty("detail", out var detail) ? detail.GetString() ?? text
                : root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) ? message.GetString() ?? text
                : text;
        }
        catch (JsonException)
        {
        }

        throw new WorkerReplicaException($"{what} answered {(int)response.StatusCode}: {reason}");
    }
}
