using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Serving.Catalog;
using Inference.Serving.Local;
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
/// This part keeps the subscriptions (following the catalog) and the requests in hand; the input body is answered in
/// <c>NatsResponder.InputBody.cs</c>, OpenAI-compatible calls carried over NATS in <c>NatsResponder.Routes.cs</c>.
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
                var local = catalog.Models.Where(Answers).ToDictionary(m => m.Id, StringComparer.Ordinal);
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
        Answers(model) ? ServeAsync(model, cancellationToken) : Task.CompletedTask;

    /// <summary>The models answered on NATS here: the chat and embedding models this service runs.</summary>
    internal static bool Answers(ServedModel model) => model.IsLocal && model.Kind is ModelKind.Chat or ModelKind.Embedding;

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

    private async Task HealthAsync(ServedModel model, NatsMsg<byte[]> message) =>
        await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(replica.Status(model, "online"), NatsJsonContext.Default.NatsModelStatus));

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
