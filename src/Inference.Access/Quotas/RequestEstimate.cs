using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Inference.Access.Quotas;

/// <summary>
/// What an inference request is expected to use before it runs: the model it names and its tokens (the prompt at about
/// four bytes of body a token, the completion at the maximum it asks for, as OpenAI's own limits count it). Corrected
/// by what it used once it ends.
/// </summary>
internal readonly record struct RequestEstimate(string? Model, long PromptTokens, long CompletionTokens)
{
    public long Tokens => PromptTokens + CompletionTokens;

    public static async Task<RequestEstimate> ReadAsync(HttpRequest request, long maxBodyBytes, int defaultCompletionTokens, CancellationToken cancellationToken)
    {
        var embeddings = request.Path.Value?.Contains("embed", StringComparison.OrdinalIgnoreCase) == true;
        var length = request.ContentLength ?? 0;
        if (request.ContentLength is null or 0 || length > maxBodyBytes || request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            // Nothing to read (or too large: the route refuses it with 413).
            return new(null, Math.Max(1, length / 4), embeddings ? 0 : defaultCompletionTokens);
        }

        request.EnableBuffering();
        var body = new byte[length];
        await request.Body.ReadExactlyAsync(body, cancellationToken);
        request.Body.Position = 0;

        string? model = null;
        long? maxTokens = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    reader.Read();
                    switch (name)
                    {
                        case "model" or "model_id" when reader.TokenType == JsonTokenType.String:
                            model ??= reader.GetString();
                            break;
                        case "max_tokens" or "max_completion_tokens" or "max_new_tokens" or "max_output_tokens" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var max):
                            maxTokens = max;
                            break;
                        case "options" when reader.TokenType == JsonTokenType.StartObject:
                            maxTokens = Nested(ref reader, "num_predict") ?? maxTokens;
                            break;
                        case "parameters" or "params" when reader.TokenType == JsonTokenType.StartObject:
                            maxTokens = Nested(ref reader, "max_tokens", "max_length") ?? maxTokens;
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the route answers 400; the estimate stays what the size says.
        }

        return new(model, Math.Max(1, length / 4), embeddings ? 0 : Math.Max(0, maxTokens is > 0 ? maxTokens.Value : defaultCompletionTokens));
    }

    /// <summary>
    /// The completion limit inside a nested object (Ollama's <c>options.num_predict</c>, the inference requests'
    /// <c>parameters.max_tokens</c> / <c>max_length</c>, the input body's <c>params.max_tokens</c>); leaves the reader at the end of the object.
    /// </summary>
    private static long? Nested(ref Utf8JsonReader reader, params ReadOnlySpan<string> names)
    {
        long? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (names.Contains(name!) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n))
            {
                value = n;
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }
}
