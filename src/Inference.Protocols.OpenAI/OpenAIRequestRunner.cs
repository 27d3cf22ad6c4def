using System.Text.Json;
using Inference.Http;
using Inference.Serving.Requests;

namespace Inference.Protocols.OpenAI;

/// <summary>
/// Answers one OpenAI request body as its <c>/v1</c> route would, without HTTP: the same reading, checks, routing,
/// fallbacks, cache, audit and error bodies, answered as (status, body). What an OpenAI batch's lines are run with,
/// each in the <see cref="Serving.InferenceContext"/> of its batch's owner.
/// </summary>
public sealed class OpenAIRequestRunner(IServiceProvider services)
{
    /// <summary>The routes a batch may call.</summary>
    public static IReadOnlyList<string> BatchableRoutes { get; } = ["/v1/chat/completions", "/v1/embeddings", "/v1/completions"];

    public async Task<(int Status, JsonElement Body)> SendAsync(string path, JsonElement body, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, OpenAIJsonContext.Default.JsonElement);
        var openai = ApiServices.From(services);
        try
        {
            var (answer, error) = path switch
            {
                "/v1/chat/completions" => await RunAsync(bytes, OpenAIJsonContext.Default.ChatCompletionRequest, async request =>
                    ToElement(await ChatCompletionsApi.RunAsync(request, openai, cancellationToken), OpenAIJsonContext.Default.ChatCompletion)),
                "/v1/completions" => await RunAsync(bytes, OpenAIJsonContext.Default.CompletionRequest, request => CompletionsApi.RunAsync(request, openai, cancellationToken)),
                "/v1/embeddings" => await RunAsync(bytes, OpenAIJsonContext.Default.EmbeddingRequest, async request =>
                    ToElement(await EmbeddingsApi.RunAsync(request, openai, cancellationToken), OpenAIJsonContext.Default.EmbeddingList)),
                _ => throw new ArgumentException($"No POST route '{path}' here.", nameof(path)),
            };
            return error is null ? (200, answer!.Value) : (error.Status, ErrorBody(error));
        }
        catch (Exception ex) when (ex is not ArgumentException && !cancellationToken.IsCancellationRequested)
        {
            // What the exception handler would have answered over HTTP.
            var error = ApiErrors.ForUnhandled(ex);
            return (error.Status, ErrorBody(error));
        }
    }

    private static async Task<(JsonElement? Body, InferenceError? Error)> RunAsync<T>(
        byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, Func<T, Task<(JsonElement? Body, InferenceError? Error)>> run)
        where T : class
    {
        var (request, error) = JsonBody.Deserialize(body, type);
        return error is not null ? (null, error) : await run(request!);
    }

    private static (JsonElement? Body, InferenceError? Error) ToElement<T>((T? Value, InferenceError? Error) result, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class =>
        result.Error is not null ? (null, result.Error) : (JsonSerializer.SerializeToElement(result.Value!, type), null);

    private static JsonElement ErrorBody(InferenceError error) =>
        JsonSerializer.SerializeToElement(ApiErrors.OpenAIBody(error), ErrorJsonContext.Default.OpenAIErrorResponse);
}
