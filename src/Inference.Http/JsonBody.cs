using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Http;

namespace Inference.Http;

/// <summary>
/// Reads a JSON request body within a size limit, so that oversized, malformed, mistyped or non-UTF-8 bodies become
/// errors in the route's API format (413/400) instead of exceptions.
/// </summary>
public static class JsonBody
{
    /// <param name="fail">Words an error in another API's format (status, message); OpenAI's error object by default.</param>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(
        HttpRequest request, JsonTypeInfo<T> type, long limit, CancellationToken cancellationToken, Func<int, string, IResult>? fail = null)
        where T : class
    {
        var (value, error) = await ReadCoreAsync(request, type, limit, cancellationToken).ConfigureAwait(false);
        return error is null ? (value, null) : (null, fail is null ? ApiErrors.OpenAI(error.Value.Status, error.Value.Message, param: error.Value.Param, code: error.Value.Code) : fail(error.Value.Status, error.Value.Message));
    }

    private static async Task<(T? Value, (int Status, string Message, string? Param, string? Code)? Error)> ReadCoreAsync<T>(
        HttpRequest request, JsonTypeInfo<T> type, long limit, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }

        // One pooled buffer per request, sized from Content-Length when the client sent it (one byte more, to see the
        // end), grown by doubling otherwise; the parsed request keeps no reference to it.
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } length ? Capped(length + 1, limit) : 16 * 1024);
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Capped((long)buffer.Length * 2, limit));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                count += read;
                if (count > limit)
                {
                    return (null, TooLarge(limit));
                }
            }

            return Deserialize(buffer.AsSpan(0, count), type) is var (value, error) && error is null
                ? (value, null)
                : (null, (error!.Status, error.Message, error.Param, error.Code));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limit));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A JSON body already read (an OpenAI batch's line, a message), or why it is not one of <typeparamref name="T"/>.</summary>
    public static (T? Value, InferenceError? Error) Deserialize<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> type)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(type);
        if (body.IsEmpty)
        {
            return (null, InferenceError.Invalid("The request body is empty; expected a JSON object."));
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return (null, InferenceError.Invalid("The request body is not valid UTF-8."));
        }

        try
        {
            var value = JsonSerializer.Deserialize(body, type);
            return value is null
                ? (null, InferenceError.Invalid("The request body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var param = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : null;
            var detail = param is null ? FirstSentence(ex.Message) : $"'{param}' has an invalid value or type";
            return (null, InferenceError.Invalid($"We could not parse the JSON body of your request: {detail}.", param));
        }
    }

    /// <summary>A buffer size: at most one byte over the limit (enough to see that a body exceeds it) and an array's maximum.</summary>
    private static int Capped(long size, long limit) => (int)Math.Min(Math.Min(size, limit + 1), Array.MaxLength);

    private static (int, string, string?, string?) TooLarge(long limit) =>
        (StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {limit} bytes.", null, "request_too_large");

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
