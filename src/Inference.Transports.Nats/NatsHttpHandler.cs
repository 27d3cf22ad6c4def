using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Inference.Http;
using Inference.Serving.Requests;
using NATS.Client.Core;

namespace Inference.Transports.Nats;

/// <summary>
/// The HTTP handler of a remote model reached over NATS (<c>Endpoint=nats://host:port</c>): an OpenAI-compatible
/// request to <c>http://host:port/v1/ROUTE</c> is sent on the model's subject (<c>inference.request.MODEL</c>, or
/// <c>embedding.request.MODEL</c> for embeddings) of the NATS server at host:port, the route in a header, so the
/// replicas' queue group shares the calls; the reply becomes the HTTP response (its status from a header), a stream's
/// messages a server-sent event stream. No responder is a 503, no reply in time a 504, as a gateway answers.
/// </summary>
internal sealed class NatsHttpHandler(NatsConnections connections, TimeSpan timeout) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("A request over NATS needs a URI.");
        var (replica, path) = NatsRoutes.ReplicaOf(uri.AbsolutePath);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var (model, stream) = Read(body);
        if (replica is not null && !NatsRoutes.ChatRoutes.Concat(NatsRoutes.EmbeddingRoutes).Contains(path))
        {
            return await ReplicaRouteAsync(request, uri, replica, path + uri.Query, body, cancellationToken);
        }

        // The routes as our services serve them (an endpoint given without /v1 still means them).
        var route = path.StartsWith("/v1/", StringComparison.Ordinal) ? path : "/v1" + path;
        if (model is null)
        {
            return Error(HttpStatusCode.BadRequest, "A request over NATS names its model in the body.");
        }

        var modelSubject = route == "/v1/embeddings" ? NatsSubjects.Embedding(model) : NatsSubjects.Inference(model);
        var subject = replica is null ? modelSubject : NatsSubjects.Replica(modelSubject, replica);
        // The call's id: what the Worker audits it under, and what a cancellation names.
        var requestId = request.Headers.TryGetValues("x-request-id", out var ids) ? ids.First() : "nats-" + Guid.CreateVersion7().ToString("N");
        var headers = new NatsHeaders { [NatsRoutes.RouteHeader] = route, ["x-request-id"] = requestId };
        var nats = await connections.GetAsync(uri);
        var cancel = new Cancellation(nats, requestId);
        var registration = cancellationToken.Register(cancel.Send);
        // The first reply may wait in the model's queue; then each piece of a stream must come within the same time.
        var replyOpts = new NatsSubOpts { StartUpTimeout = timeout, IdleTimeout = timeout, ThrowIfNoResponders = true };
        var replies = nats.RequestManyAsync<byte[], byte[]>(subject, body, headers, replyOpts: replyOpts, cancellationToken: cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        var (first, failure) = await NextAsync(replies, subject);
        if (failure is not null || !stream || StatusOf(first!.Value) != HttpStatusCode.OK)
        {
            await registration.DisposeAsync();
            await replies.DisposeAsync();
            return failure ?? new HttpResponseMessage(StatusOf(first!.Value)) { Content = Json(first.Value.Data ?? []), RequestMessage = request };
        }

        // A stream: each message is one event's data; the pipe carries them to the reader as server-sent events.
        var pipe = new Pipe();
        _ = PumpAsync(first.Value, replies, pipe.Writer, subject, cancel, registration, cancellationToken);
        var content = new StreamContent(pipe.Reader.AsStream());
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }

    /// <summary>One replica's own route (control, health, model list): carried to its HTTP server, answered whole.</summary>
    private async Task<HttpResponseMessage> ReplicaRouteAsync(HttpRequestMessage request, Uri uri, string replica, string route, byte[] body, CancellationToken cancellationToken)
    {
        var nats = await connections.GetAsync(uri);
        var subject = NatsSubjects.ReplicaHttp(replica);
        var headers = new NatsHeaders { [NatsRoutes.RouteHeader] = route, [NatsRoutes.MethodHeader] = request.Method.Method };
        try
        {
            var reply = await nats.RequestAsync<byte[], byte[]>(subject, body, headers, replyOpts: new NatsSubOpts { Timeout = timeout }, cancellationToken: cancellationToken);
            return reply.HasNoResponders
                ? Error(HttpStatusCode.ServiceUnavailable, $"Nothing serves {subject} on NATS now.")
                : new HttpResponseMessage(StatusOf(reply)) { Content = Json(reply.Data ?? []), RequestMessage = request };
        }
        catch (NatsNoRespondersException)
        {
            return Error(HttpStatusCode.ServiceUnavailable, $"Nothing serves {subject} on NATS now.");
        }
        catch (NatsNoReplyException)
        {
            return Error(HttpStatusCode.GatewayTimeout, $"No reply on {subject} in time.");
        }
    }

    private static async Task PumpAsync(
        NatsMsg<byte[]> first, IAsyncEnumerator<NatsMsg<byte[]>> replies, PipeWriter writer, string subject, Cancellation cancel, CancellationTokenRegistration registration, CancellationToken cancellationToken)
    {
        Exception? fault = null;
        try
        {
            var message = first;
            while (true)
            {
                var data = message.Data ?? [];
                if ((await writer.WriteAsync(Event(data), cancellationToken)).IsCompleted)
                {
                    cancel.Send(); // the reader went away: the Worker stops generating
                    break;
                }

                if (data.AsSpan().SequenceEqual(NatsRoutes.Done.Select(c => (byte)c).ToArray()))
                {
                    break;
                }

                var (next, failure) = await NextAsync(replies, subject);
                if (failure is not null)
                {
                    // The stream stopped short (its replica gone, or silent past the timeout): the reader fails as it
                    // would on a connection that broke, never as an answer that ended.
                    fault = new IOException($"The stream on {subject} stopped before its end ({(int)failure.StatusCode}: no piece within the reply timeout).");
                    break;
                }

                message = next!.Value;
            }
        }
        catch (Exception ex)
        {
            fault = ex;
        }
        finally
        {
            await registration.DisposeAsync();
            await replies.DisposeAsync();
            await writer.CompleteAsync(fault);
        }
    }

    /// <summary>Tells the replicas a call was given up (<see cref="NatsSubjects.Cancel"/>), once.</summary>
    private sealed class Cancellation(NatsConnection nats, string requestId)
    {
        private int _sent;

        public void Send()
        {
            if (Interlocked.Exchange(ref _sent, 1) == 0)
            {
                _ = nats.PublishAsync(NatsSubjects.Cancel, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["req_id"] = requestId })).AsTask();
            }
        }
    }

    /// <summary>The next reply; or the response a gateway gives when there is none (503 no responder, 504 no reply in time).</summary>
    private static async Task<(NatsMsg<byte[]>? Message, HttpResponseMessage? Failure)> NextAsync(IAsyncEnumerator<NatsMsg<byte[]>> replies, string subject)
    {
        try
        {
            if (await replies.MoveNextAsync())
            {
                return replies.Current.HasNoResponders
                    ? (null, Error(HttpStatusCode.ServiceUnavailable, $"Nothing serves {subject} on NATS now."))
                    : (replies.Current, null);
            }

            return (null, Error(HttpStatusCode.GatewayTimeout, $"No reply on {subject} in time."));
        }
        catch (NatsNoRespondersException)
        {
            return (null, Error(HttpStatusCode.ServiceUnavailable, $"Nothing serves {subject} on NATS now."));
        }
        catch (NatsNoReplyException)
        {
            return (null, Error(HttpStatusCode.GatewayTimeout, $"No reply on {subject} in time."));
        }
    }

    private static HttpStatusCode StatusOf(NatsMsg<byte[]> message) =>
        message.Headers?.TryGetValue(NatsRoutes.StatusHeader, out var value) == true && int.TryParse(value.ToString(), out var status) ? (HttpStatusCode)status : HttpStatusCode.OK;

    private static (string? Model, bool Stream) Read(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return (
                root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString() : null,
                root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True);
        }
        catch (JsonException)
        {
            return (null, false);
        }
    }

    private static byte[] Event(byte[] data) => [.. "data: "u8, .. data, .. "\n\n"u8];

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string message) => new(status)
    {
        Content = Json(JsonSerializer.SerializeToUtf8Bytes(
            ApiErrors.OpenAIBody(new InferenceError((int)status, InferenceError.ServerError, message, null, status == HttpStatusCode.ServiceUnavailable ? "no_responders" : "timeout")),
            ErrorJsonContext.Default.OpenAIErrorResponse)),
    };
}

/// <summary>One NATS connection per server the remote models name, opened on first use and kept.</summary>
internal sealed class NatsConnections : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Uri, Lazy<Task<NatsConnection>>> _connections = new();

    /// <summary>The connection to the server at <paramref name="address"/>'s host and port (whatever its scheme and path).</summary>
    public Task<NatsConnection> GetAsync(Uri address) => _connections.GetOrAdd(new Uri($"nats://{address.Authority}"), url => new Lazy<Task<NatsConnection>>(async () =>
    {
        var connection = new NatsConnection(new NatsOpts { Url = url.ToString(), Name = "inference-gateway", RetryOnInitialConnect = true });
        await connection.ConnectAsync();
        return connection;
    })).Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values.Where(c => c.IsValueCreated))
        {
            try
            {
                await (await connection.Value).DisposeAsync();
            }
            catch (NatsException)
            {
            }
        }
    }
}
