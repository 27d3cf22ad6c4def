using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Inference.Cli;

/// <summary>The few calls the tool makes, over plain HTTP: our routes and OpenAI's, on any base URL.</summary>
internal sealed class InferenceApiClient(Uri baseAddress, string? apiKey) : IDisposable
{
    private readonly HttpClient _http = Create(baseAddress, apiKey);

    public Uri BaseAddress => baseAddress;

    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<JsonElement> PostAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) }, cancellationToken);

    /// <summary>The text deltas of a streamed chat completion, and its usage at the end when the server reports it.</summary>
    public async IAsyncEnumerable<string> StreamChatAsync(JsonObject body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        body["stream"] = true;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = JsonContent.Create(body) };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            if (item.Data == "[DONE]")
            {
                yield break;
            }

            using var chunk = JsonDocument.Parse(item.Data);
            if (chunk.RootElement.TryGetProperty("error", out var error))
            {
                throw new CliException(error.TryGetProperty("message", out var message) ? message.GetString() ?? item.Data : item.Data);
            }

            foreach (var choice in chunk.RootElement.TryGetProperty("choices", out var choices) ? choices.EnumerateArray() : default)
            {
                if (choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 } text)
                {
                    yield return text;
                }
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            await EnsureSuccessAsync(response, cancellationToken);
            return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        }
    }

    /// <summary>An error answer as its message: OpenAI's error object, or problem details' detail.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? message = null;
        try
        {
            using var json = JsonDocument.Parse(text);
            message = json.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var m) ? m.GetString()
                : json.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString()
                : null;
        }
        catch (JsonException)
        {
            // Not JSON: the status is all there is.
        }

        throw new CliException($"{(int)response.StatusCode} {response.ReasonPhrase}: {message ?? (text.Length > 0 ? text : "no details")}");
    }

    private static HttpClient Create(Uri baseAddress, string? apiKey)
    {
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        var http = new HttpClient { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return http;
    }
}

/// <summary>A failure the tool reports in one line and exits 1 for.</summary>
internal sealed class CliException(string message) : Exception(message);
