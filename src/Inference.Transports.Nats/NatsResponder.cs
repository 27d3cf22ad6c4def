using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Http;
using Inference.Protocols.OpenAI;
using Inference.Protocols.OpenAI.Contracts;
using Inference.Serving;
using Inference.Serving.Catalog;
using Inference.Serving.Local;
using Inference.Serving.Requests;
using Inference.Serving.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace Inference.Transports.Nats;

/// <summary>
/// Answers this service's models on NATS: completions on <c>inference.request.MODEL</c> (the input body: <c>req_id</c>,
/// <c>input</c>, <c>params</c>, <c>raw</c>; whole, or streamed to the requester's inbox with <c>stream</c>) and
/// embeddings on <c>embedding.request.MODEL</c>, in a queue group the replicas share, and on each replica's own
/// subject; each message in its own <see cref="InferenceContext"/>, answered as the HTTP routes answer the same body.
/// Anything wrong is answered with an error reply; on stop the subscriptions end and requests in hand are finished.
/// </summary>
internal sealed partial class NatsResponder(
    INatsConnection nats,
    ModelCatalog catalog,
    IServiceProvider services,
    IOptions<NatsOptions> options,
    NatsReplica replica,
    NatsTransportTelemetry telemetry,
    ILogger<NatsResponder> logger) : BackgroundService, IServedModelsObserver
{
    private readonly ConcurrentDictionary<Task, byte> _inHand = new();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ServedModel Model, CancellationTokenSource Stop, Task Loops)> _models = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _serving = new(1, 1);
    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        while (!catalog.IsReady)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
        }

        // The models served follow the catalog: one loaded at run time is subscribed before its load is answered
        // (AddedAsync); this loop also catches the configured ones and drops those unloaded.
        var cancellations = CancellationsAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var local = catalog.Models.Where(m => m.Endpoint is null && m.Replicas is null && m.Kind is ModelKind.Chat or ModelKind.Embedding).ToDictionary(m => m.Id, StringComparer.Ordinal);
                await _serving.WaitAsync(stoppingToken);
                try
                {
                    foreach (var gone in _models.Keys.Where(id => !local.TryGetValue(id, out var model) || !ReferenceEquals(model, _models[id].Model)).ToList())
                    {
                        await _models[gone].Stop.CancelAsync();
                        _models.Remove(gone);
                    }
                }
                finally
                {
                    _serving.Release();
                }

                foreach (var model in local.Values)
                {
                    await ServeAsync(model, stoppingToken);
                }

                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll([cancellations, .. _models.Values.Select(s => s.Loops)]);
    }

    /// <summary>A model loaded at run time: answered on its subjects before its load is answered.</summary>
    public Task AddedAsync(ServedModel model, CancellationToken cancellationToken) =>
        model.Kind is ModelKind.Chat or ModelKind.Embedding ? ServeAsync(model, cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Subscribes a model's subjects (its subject in the queue group, this replica's own, its health) unless they are
    /// already; returns once the server has them.
    /// </summary>
    private async Task ServeAsync(ServedModel model, CancellationToken cancellationToken)
    {
        await _serving.WaitAsync(cancellationToken);
        try
        {
            if (_models.TryGetValue(model.Id, out var served) && ReferenceEquals(served.Model, model))
            {
                return;
            }

            if (!NatsSubjects.CanName(model.Id))
            {
                Log.Unnameable(logger, model.Id);
                _models[model.Id] = (model, new CancellationTokenSource(), Task.CompletedTask);
                return;
            }

            var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            Func<ServedModel, NatsMsg<byte[]>, Task> handler = model.Kind == ModelKind.Chat ? CompleteAsync : EmbedAsync;
            var subject = model.Kind == ModelKind.Chat ? NatsSubjects.Inference(model.Id) : NatsSubjects.Embedding(model.Id);
            var loops = await Task.WhenAll(
                SubscribeAsync(subject, options.Value.QueueGroup, message => handler(model, message), stop.Token),
                SubscribeAsync(NatsSubjects.Replica(subject, replica.Name), null, message => handler(model, message), stop.Token),
                SubscribeAsync(NatsSubjects.Health(model.Id), options.Value.QueueGroup, message => HealthAsync(model, message), stop.Token),
                SubscribeAsync(NatsSubjects.Replicas(model.Id), null, message => ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["replica"] = replica.Name })), stop.Token));
            await nats.PingAsync(cancellationToken); // the server has processed the subscriptions
            _models[model.Id] = (model, stop, Task.WhenAll(loops));
            Log.Serving(logger, model.Id, subject, replica.Name);
        }
        finally
        {
            _serving.Release();
        }
    }

    /// <summary>Stops the generation of a request its requester gave up (a message on <see cref="NatsSubjects.Cancel"/>).</summary>
    private async Task CancellationsAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in nats.SubscribeAsync<byte[]>(NatsSubjects.Cancel, cancellationToken: stoppingToken))
            {
                try
                {
                    if (JsonNode.Parse(message.Data ?? []) is JsonObject body && Text(body, "req_id") is { } id && _running.TryGetValue(id, out var running))
                    {
                        await running.CancelAsync();
                    }
                }
                catch (JsonException)
                {
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A token that a cancellation for <paramref name="id"/> cancels, while the returned scope lasts (an id in use twice is not cancellable the second time).</summary>
    private Running Track(string id)
    {
        var source = new CancellationTokenSource();
        return _running.TryAdd(id, source) ? new Running(this, id, source) : new Running(null, id, source);
    }

    private readonly struct Running(NatsResponder? owner, string id, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public void Dispose()
        {
            owner?._running.TryRemove(id, out _);
            source.Dispose();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The subscriptions end first (no new requests), then the requests in hand are answered.
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_inHand.Keys).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Subscribes <paramref name="subject"/>; returns, once subscribed, the loop that answers its messages until <paramref name="stop"/>.</summary>
    private async Task<Task> SubscribeAsync(string subject, string? queueGroup, Func<NatsMsg<byte[]>, Task> handle, CancellationToken stop)
    {
        var subscription = await nats.SubscribeCoreAsync<byte[]>(subject, queueGroup, cancellationToken: stop);
        return LoopAsync(subscription, subject, handle, stop);
    }

    private async Task LoopAsync(INatsSub<byte[]> subscription, string subject, Func<NatsMsg<byte[]>, Task> handle, CancellationToken stop)
    {
        await using (subscription)
        {
            try
            {
                await foreach (var message in subscription.Msgs.ReadAllAsync(stop))
                {
                    telemetry.Received(subject);
                    var task = Task.Run(() => handle(message), CancellationToken.None);
                    _inHand[task] = 0;
                    _ = task.ContinueWith(t => _inHand.TryRemove(t, out _), TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>A completion of the input body, answered whole, or streamed to the reply inbox when it asks.</summary>
    private async Task CompleteAsync(ServedModel model, NatsMsg<byte[]> message)
    {
        if (RouteOf(message) is { } route)
        {
            await RouteAsync(model, message, route, NatsRoutes.ChatRoutes);
            return;
        }

        var (read, reqId, error) = Read(model, message);
        if (error is not null || read is not { } body)
        {
            await ReplyErrorAsync(message, reqId, error!);
            return;
        }

        var started = TimeProvider.System.GetTimestamp();
        using var scope = InferenceContext.Begin(new InferenceContext(reqId) { MadeBy = "nats", Affinity = Text(body, "user") });
        using var running = Track(reqId);
        try
        {
            if (body["stream"] is JsonValue stream && stream.TryGetValue(out bool streamed) && streamed)
            {
                await StreamAsync(body, reqId, message, running.Token);
                return;
            }

            var (status, answer) = await services.GetRequiredService<OpenAIRequestRunner>().SendAsync("/v1/completions", JsonSerializer.SerializeToElement(body), running.Token);
            await ReplyAsync(message, status == 200 ? JsonSerializer.SerializeToUtf8Bytes(answer) : ErrorBody(reqId, status, answer));
        }
        catch (OperationCanceledException) when (running.Token.IsCancellationRequested)
        {
            // The requester gave up: nobody waits for an answer.
        }
        catch (Exception ex)
        {
            Log.Failed(logger, ex, message.Subject);
            await ReplyErrorAsync(message, reqId, ApiErrors.ForUnhandled(ex));
        }
        finally
        {
            telemetry.Answered(message.Subject, TimeProvider.System.GetElapsedTime(started));
        }
    }

    /// <summary>Each piece of the answer to the reply inbox as the model writes it, then a last message with the totals.</summary>
    private async Task StreamAsync(JsonObject body, string reqId, NatsMsg<byte[]> message, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        body.Remove("stream");
        var (request, readError) = JsonBody.Deserialize(JsonSerializer.SerializeToUtf8Bytes(body), OpenAIJsonContext.Default.CompletionRequest);
        var api = ApiServices.From(services);
        var (prepared, error) = readError is null ? await CompletionsApi.PrepareInputAsync(api, request!, cancellationToken) : (null, readError);
        if (error is not null)
        {
            await ReplyErrorAsync(message, reqId, error);
            return;
        }

        var (model, messages, chatOptions) = prepared!.Value;
        var (updates, any, failure) = await FirstUpdate.AwaitAsync(model.ChatClient.GetStreamingResponseAsync(messages, chatOptions, cancellationToken), "input", cancellationToken);
        if (failure is not null)
        {
            await ReplyErrorAsync(message, reqId, failure);
            return;
        }

        var text = new System.Text.StringBuilder();
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        string? fault = null;
        await using (updates!)
        {
            for (var more = any; more;)
            {
                var update = updates!.Current;
                usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
                finish = update.FinishReason ?? finish;
                if (update.Text is { Length: > 0 } piece)
                {
                    text.Append(piece);
                    await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(new NatsStreamChunk(reqId, piece), NatsJsonContext.Default.NatsStreamChunk));
                }

                (more, fault) = await FirstUpdate.NextAsync(updates, "input", cancellationToken);
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return; // the requester gave up: the generation stopped, nothing more is sent
        }

        if (fault is not null)
        {
            await ReplyErrorAsync(message, reqId, new InferenceError(500, InferenceError.ServerError, fault, null, "generation_failed"));
            return;
        }

        var done = JsonSerializer.SerializeToNode(
            new InputCompletion(
                text.ToString(),
                (int)(usage?.InputTokenCount ?? 0),
                (int)(usage?.OutputTokenCount ?? 0),
                OpenAISse.FinishReason(finish),
                Math.Round(TimeProvider.System.GetElapsedTime(started).TotalMilliseconds, 1),
                reqId,
                api.Inference.Versioned(model.AnsweredBy.Id)),
            OpenAIJsonContext.Default.InputCompletion)!.AsObject();
        done["done"] = true;
        await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(done));
    }

    /// <summary>Embeddings of <c>input</c> (a string or strings), answered as OpenAI's embeddings list with the request's id.</summary>
    private async Task EmbedAsync(ServedModel model, NatsMsg<byte[]> message)
    {
        if (RouteOf(message) is { } route)
        {
            await RouteAsync(model, message, route, NatsRoutes.EmbeddingRoutes);
            return;
        }

        var (body, reqId, error) = Read(model, message);
        if (error is not null)
        {
            await ReplyErrorAsync(message, reqId, error);
            return;
        }

        var started = TimeProvider.System.GetTimestamp();
        using var scope = InferenceContext.Begin(new InferenceContext(reqId) { MadeBy = "nats" });
        try
        {
            var request = new JsonObject { ["model"] = model.Id, ["input"] = body!["input"]?.DeepClone() };
            foreach (var field in new[] { "encoding_format", "dimensions", "user" })
            {
                if (body[field] is { } value)
                {
                    request[field] = value.DeepClone();
                }
            }

            var (status, answer) = await services.GetRequiredService<OpenAIRequestRunner>().SendAsync("/v1/embeddings", JsonSerializer.SerializeToElement(request), CancellationToken.None);
            if (status != 200)
            {
                await ReplyAsync(message, ErrorBody(reqId, status, answer));
                return;
            }

            var list = JsonSerializer.SerializeToNode(answer)!.AsObject();
            list["req_id"] = reqId;
            await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(list));
        }
        catch (Exception ex)
        {
            Log.Failed(logger, ex, message.Subject);
            await ReplyErrorAsync(message, reqId, ApiErrors.ForUnhandled(ex));
        }
        finally
        {
            telemetry.Answered(message.Subject, TimeProvider.System.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// An OpenAI-compatible body for <paramref name="route"/> (a gateway's provider over NATS): answered as the route
    /// answers it, the status in a header; a streamed chat completion as one message per server-sent event's data.
    /// </summary>
    private async Task RouteAsync(ServedModel model, NatsMsg<byte[]> message, string route, IReadOnlyList<string> routes)
    {
        var started = TimeProvider.System.GetTimestamp();
        var requestId = message.Headers?.TryGetValue("x-request-id", out var given) == true && given.ToString() is { Length: > 0 } id ? id : "nats-" + Guid.CreateVersion7().ToString("N");
        using var scope = InferenceContext.Begin(new InferenceContext(requestId) { MadeBy = "nats" });
        using var running = Track(requestId);
        try
        {
            if (!routes.Contains(route))
            {
                await ReplyRouteErrorAsync(message, new InferenceError(404, InferenceError.InvalidRequest, $"{message.Subject} does not answer {route}; it answers {string.Join(", ", routes)}.", null, "unknown_url"));
                return;
            }

            var (read, _, error) = Read(model, message);
            if (error is not null || read is not { } body)
            {
                await ReplyRouteErrorAsync(message, error!);
                return;
            }

            if (route == "/v1/chat/completions" && body["stream"] is JsonValue stream && stream.TryGetValue(out bool streamed) && streamed)
            {
                var (request, readError) = JsonBody.Deserialize(JsonSerializer.SerializeToUtf8Bytes(body), OpenAIJsonContext.Default.ChatCompletionRequest);
                var (data, failure) = readError is null ? await ChatCompletionsApi.StreamDataAsync(request!, ApiServices.From(services), running.Token) : (null, readError);
                if (failure is not null)
                {
                    await ReplyRouteErrorAsync(message, failure);
                    return;
                }

                await foreach (var item in data!)
                {
                    await ReplyAsync(message, Encoding.UTF8.GetBytes(item), 200);
                }

                return;
            }

            var (status, answer) = await services.GetRequiredService<OpenAIRequestRunner>().SendAsync(route, JsonSerializer.SerializeToElement(body), running.Token);
            await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(answer), status);
        }
        catch (OperationCanceledException) when (running.Token.IsCancellationRequested)
        {
            // The requester gave up: nobody waits for an answer.
        }
        catch (Exception ex)
        {
            Log.Failed(logger, ex, message.Subject);
            await ReplyRouteErrorAsync(message, ApiErrors.ForUnhandled(ex));
        }
        finally
        {
            telemetry.Answered(message.Subject, TimeProvider.System.GetElapsedTime(started));
        }
    }

    private static string? RouteOf(NatsMsg<byte[]> message) =>
        message.Headers?.TryGetValue(NatsRoutes.RouteHeader, out var route) == true && route.ToString() is { Length: > 0 } value ? value : null;

    private async Task ReplyRouteErrorAsync(NatsMsg<byte[]> message, InferenceError error)
    {
        telemetry.Refused(message.Subject);
        await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(ApiErrors.OpenAIBody(error), ErrorJsonContext.Default.OpenAIErrorResponse), error.Status);
    }

    private async Task HealthAsync(ServedModel model, NatsMsg<byte[]> message) =>
        await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(replica.Status(model, "online"), NatsJsonContext.Default.NatsModelStatus));

    /// <summary>The message as a JSON object for <paramref name="model"/>, with its request id; or the error to reply.</summary>
    private (JsonObject? Body, string ReqId, InferenceError? Error) Read(ServedModel model, NatsMsg<byte[]> message)
    {
        var fallbackId = "nats-" + Guid.CreateVersion7().ToString("N");
        if (message.Data is not { Length: > 0 } data)
        {
            return (null, fallbackId, InferenceError.Invalid("The message is empty: send a JSON object (req_id, input, params).", null, "invalid_json"));
        }

        if (data.Length > options.Value.MaxMessageBytes)
        {
            return (null, fallbackId, new InferenceError(413, InferenceError.InvalidRequest, $"The message is {data.Length} bytes; at most {options.Value.MaxMessageBytes} are read.", null, "message_too_large"));
        }

        JsonObject body;
        try
        {
            if (JsonNode.Parse(data, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) is not JsonObject parsed)
            {
                return (null, fallbackId, InferenceError.Invalid("The message must be a JSON object (req_id, input, params).", null, "invalid_json"));
            }

            body = parsed;
        }
        catch (JsonException ex)
        {
            return (null, fallbackId, InferenceError.Invalid($"The message is not valid JSON: {ex.Message}", null, "invalid_json"));
        }

        var reqId = Text(body, "req_id") is { } given && !string.IsNullOrWhiteSpace(given) ? given : fallbackId;
        if (Text(body, "model") is { } name && name != model.Id && ModelReference.Parse(name).Name != model.Id)
        {
            return (body, reqId, InferenceError.Invalid($"model '{name}' is not served on {message.Subject}, which serves '{model.Id}'.", "model", "model_mismatch"));
        }

        // The subject names the model (a version it names in model stays).
        body["model"] = Text(body, "model") ?? model.Id;
        return (body, reqId, null);
    }

    private static string? Text(JsonObject body, string name) => body[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private async Task ReplyErrorAsync(NatsMsg<byte[]> message, string? reqId, InferenceError error)
    {
        telemetry.Refused(message.Subject);
        await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(
            new NatsErrorReply(reqId, new NatsError(error.Message, error.Type, error.Code, error.Param, error.Status)), NatsJsonContext.Default.NatsErrorReply));
    }

    private static byte[] ErrorBody(string reqId, int status, JsonElement answer)
    {
        var error = answer.TryGetProperty("error", out var e) ? e : answer;
        string? Field(string name) => error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return JsonSerializer.SerializeToUtf8Bytes(
            new NatsErrorReply(reqId, new NatsError(Field("message") ?? "The request failed.", Field("type") ?? InferenceError.ServerError, Field("code"), Field("param"), status)),
            NatsJsonContext.Default.NatsErrorReply);
    }

    private async Task ReplyAsync(NatsMsg<byte[]> message, byte[] reply, int? status = null)
    {
        if (message.ReplyTo is null)
        {
            Log.NoReplySubject(logger, message.Subject);
            return;
        }

        var headers = status is int code ? new NatsHeaders { [NatsRoutes.StatusHeader] = code.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null;
        await nats.PublishAsync(message.ReplyTo, reply, headers: headers);
        telemetry.Sent(message.Subject);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Serving {Model} on NATS subject {Subject} (replica {Replica}).")]
        public static partial void Serving(ILogger logger, string model, string subject, string replica);

        [LoggerMessage(2, LogLevel.Warning, "Model {Model} is not served on NATS: its name cannot end a subject.")]
        public static partial void Unnameable(ILogger logger, string model);

        [LoggerMessage(3, LogLevel.Warning, "A message on {Subject} has no reply subject; its answer has nowhere to go.")]
        public static partial void NoReplySubject(ILogger logger, string subject);

        [LoggerMessage(4, LogLevel.Error, "A request on {Subject} failed.")]
        public static partial void Failed(ILogger logger, Exception exception, string subject);
    }
}
