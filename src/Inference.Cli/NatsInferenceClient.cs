using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using NATS.Client.Core;

namespace Inference.Cli;

/// <summary>
/// The platform's NATS subjects from a terminal: a completion of the input body streamed from
/// <c>inference.request.MODEL</c>, embeddings from <c>embedding.request.MODEL</c>; an error reply is a
/// <see cref="CliException"/>, as an HTTP error is.
/// </summary>
internal sealed class NatsInferenceClient(Uri server, TimeSpan timeout) : IAsyncDisposable
{
    private readonly NatsConnection _connection = new(new NatsOpts { Url = server.ToString(), Name = "inference-cli", RequestTimeout = timeout });

    /// <summary>The answer's pieces as the model writes them.</summary>
    public async IAsyncEnumerable<string> StreamAsync(string subject, JsonObject body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        body["stream"] = true;

        // Ctrl+C: the replicas are told the request was given up, and stop generating it.
        var reqId = body["req_id"]?.GetValue<string>() ?? "";
        await using var cancelled = cancellationToken.Register(() => _ = _connection.PublishAsync("inference.cancel", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["req_id"] = reqId })).AsTask());
        await using var replies = _connection.RequestManyAsync<byte[], byte[]>(
            subject, JsonSerializer.SerializeToUtf8Bytes(body), replyOpts: new NatsSubOpts { Timeout = timeout }, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await NextAsync(replies, subject))
        {
            var reply = Read(replies.Current);
            if (reply.TryGetProperty("done", out var done) && done.GetBoolean())
            {
                yield break;
            }

            yield return reply.GetProperty("text").GetString() ?? "";
        }

        throw new CliException($"No answer on {subject} within {timeout.TotalSeconds:0} s.");
    }

    public async Task<JsonElement> RequestAsync(string subject, object body, CancellationToken cancellationToken)
    {
        try
        {
            return Read(await _connection.RequestAsync<byte[], byte[]>(subject, JsonSerializer.SerializeToUtf8Bytes(body), cancellationToken: cancellationToken));
        }
        catch (NatsNoRespondersException)
        {
            throw new CliException($"Nothing serves {subject} on {server}.");
        }
        catch (NatsNoReplyException)
        {
            throw new CliException($"No answer on {subject} within {timeout.TotalSeconds:0} s.");
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async Task<bool> NextAsync(IAsyncEnumerator<NatsMsg<byte[]>> replies, string subject)
    {
        try
        {
            return await replies.MoveNextAsync();
        }
        catch (NatsNoRespondersException)
        {
            throw new CliException($"Nothing serves {subject} on {server}.");
        }
    }

    private static JsonElement Read(NatsMsg<byte[]> message)
    {
        if (message.HasNoResponders)
        {
            throw new CliException($"Nothing serves {message.Subject}.");
        }

        var reply = JsonDocument.Parse(message.Data ?? []).RootElement.Clone();
        if (reply.TryGetProperty("error", out var error))
        {
            var status = error.TryGetProperty("status", out var s) ? $"{s.GetInt32()}: " : "";
            throw new CliException(status + (error.TryGetProperty("message", out var m) ? m.GetString() : reply.GetRawText()));
        }

        return reply;
    }
}
