using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Inference.Serving.OpenAI;

/// <summary>
/// Reads a JSON request body within a size limit, so that oversized, malformed, mistyped or non-UTF-8 bodies
/// become OpenAI errors (413/400) instead of exceptions.
/// </summary>
internal static class OpenAIRequestBody
{
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, long limit, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > limit)
        {
            return (null, OpenAIErrors.TooLarge(limit));
        }

        var body = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                var memory = body.GetMemory(16 * 1024);
                var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                body.Advance(read);
                if (body.WrittenCount > limit)
                {
                    return (null, OpenAIErrors.TooLarge(limit));
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, OpenAIErrors.TooLarge(limit));
        }

        if (body.WrittenCount == 0)
        {
            return (null, OpenAIErrors.BadRequest("The request body is empty; expected a JSON object."));
        }

        if (!System.Text.Unicode.Utf8.IsValid(body.WrittenSpan))
        {
            return (null, OpenAIErrors.BadRequest("The request body is not valid UTF-8."));
        }

        try
        {
            var value = JsonSerializer.Deserialize(body.WrittenSpan, type);
            return value is null
                ? (null, OpenAIErrors.BadRequest("The request body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var param = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : null;
            var detail = param is null ? FirstSentence(ex.Message) : $"'{param}' has an invalid value or type";
            return (null, OpenAIErrors.BadRequest($"We could not parse the JSON body of your request: {detail}.", param));
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
