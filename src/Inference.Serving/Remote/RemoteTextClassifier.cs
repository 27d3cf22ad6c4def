using System.Net.Http.Headers;
using System.Net.Http.Json;
using Inference.Engines.Classification;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Remote;

/// <summary>
/// A classifier served by another of our services (the Embeddings service, in the AppHost): <c>POST /v1/classify</c>
/// at its endpoint, whose answer carries each input's logits and tokens, so the result is the engine's own.
/// </summary>
internal sealed class RemoteTextClassifier(HttpClient http, Uri endpoint, string model, string? key) : ITextClassifier
{
    private readonly Uri _classify = new(endpoint.ToString().TrimEnd('/') + "/classify");

    public async Task<TextClassificationResponse> ClassifyAsync(
        IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (options?.PairWith is not null)
        {
            // The classify route reads single texts: pairs are scored where the model runs (a rerank is forwarded there).
            throw new NotSupportedException("A remote classifier reads single texts; score pairs on the service that runs the model.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _classify)
        {
            Content = JsonContent.Create(
                new RemoteClassifyRequest(model, inputs),
                RemoteJsonContext.Default.RemoteClassifyRequest),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode is >= 400 and < 500)
        {
            // The caller's to fix (an input too long, a model the service does not have): its message, as a 400.
            var error = await ReadErrorAsync(response, cancellationToken);
            throw new ArgumentException(error ?? $"The classifier service refused the request ({(int)response.StatusCode}).");
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync(RemoteJsonContext.Default.RemoteClassifyResponse, cancellationToken)
            ?? throw new HttpRequestException("The classifier service answered with an empty body.");
        if (body.Data.Count != inputs.Count || body.Labels is not { Count: > 0 } labels || body.Data.Any(d => d.Logits?.Count != labels.Count))
        {
            throw new HttpRequestException($"The classifier service answered {body.Data.Count} classifications (with labels and logits) for {inputs.Count} inputs.");
        }

        var results = body.Data.OrderBy(d => d.Index).Select(d => new TextClassification(labels, [.. d.Logits!], d.Tokens ?? 0)).ToList();
        return new TextClassificationResponse(results)
        {
            ModelId = body.Model,
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(body.Created),
            Usage = new UsageDetails { InputTokenCount = body.Usage.PromptTokens, TotalTokenCount = body.Usage.TotalTokens },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // The HttpClient belongs to the factory.
    }

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync(RemoteJsonContext.Default.RemoteErrorResponse, cancellationToken))?.Error.Message;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
