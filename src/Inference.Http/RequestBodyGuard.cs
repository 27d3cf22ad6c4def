using System.Buffers;
using System.Text.Json;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Inference.Http;

/// <summary>
/// Refuses hostile JSON bodies before any route reads them, in the called API's error format (400): invalid UTF-8,
/// nesting deeper than <see cref="ApiOptions.MaxJsonDepth"/>, and control characters in strings (all of U+0000 to
/// U+001F but tab, line feed and carriage return), which no prompt needs and which smuggle text past filters and logs.
/// Bodies over the size limit are left to the route (413); bodies that are not JSON to its parser (400).
/// </summary>
internal sealed class RequestBodyGuard(RequestDelegate next, IOptions<ApiOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is not > 0 || request.ContentLength > options.Value.MaxRequestBodyBytes
            || request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            await next(context);
            return;
        }

        // The body is read once into a pooled buffer, checked, and handed to the route from memory (the buffer lives
        // until the route has answered), instead of buffering it to be read a second time from the connection.
        var length = (int)request.ContentLength.Value;
        var body = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            string? problem;
            try
            {
                await request.Body.ReadExactlyAsync(body.AsMemory(0, length), context.RequestAborted);
                problem = Check(body.AsSpan(0, length), options.Value.MaxJsonDepth);
            }
            catch (EndOfStreamException)
            {
                problem = "The body is shorter than its Content-Length.";
            }

            if (problem is not null)
            {
                await RouteErrors.For(request.Path, StatusCodes.Status400BadRequest, problem, "invalid_request_error", "invalid_body", "Invalid request body").ExecuteAsync(context);
                return;
            }

            var connection = request.Body;
            request.Body = new MemoryStream(body, 0, length, writable: false);
            try
            {
                await next(context);
            }
            finally
            {
                request.Body = connection;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>What is wrong with the body, or null (also for JSON that does not parse: the route says why).</summary>
    internal static string? Check(ReadOnlySpan<byte> json, int maxDepth)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return "The body is not valid UTF-8.";
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth + 1, CommentHandling = JsonCommentHandling.Disallow });
        char[]? buffer = null;
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth >= maxDepth && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    return $"The body nests deeper than {maxDepth} levels.";
                }

                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
                {
                    // Unescaped control characters are not valid JSON at all: the parser refuses them.
                    continue;
                }

                var needed = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
                if (buffer is null || buffer.Length < needed)
                {
                    if (buffer is not null)
                    {
                        ArrayPool<char>.Shared.Return(buffer);
                    }

                    buffer = ArrayPool<char>.Shared.Rent(needed);
                }

                var text = buffer.AsSpan(0, reader.CopyString(buffer));
                foreach (var c in text)
                {
                    if (c < ' ' && c is not ('\t' or '\n' or '\r'))
                    {
                        return $"Strings may not hold control characters (U+{(int)c:X4} found).";
                    }
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return "A string holds an invalid escape (a lone surrogate).";
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<char>.Shared.Return(buffer);
            }
        }

        return null;
    }
}
