using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Inference.Jobs;

/// <summary>
/// Job items announced on a JetStream work queue (stream <c>INFERENCE_JOBS</c>, subject <c>inference.jobs</c>, kept on
/// the server's disk) read by one durable pull consumer (<c>inference-jobs</c>) that every replica fetches from: each
/// entry goes to one replica, and one a replica took and did not acknowledge (it died) is delivered again after
/// <see cref="JobOptions.ClaimTimeout"/>. An entry is acknowledged once its item is recorded (or found done), which
/// removes it from the work queue; the database decides, as with Redis Streams.
/// </summary>
internal sealed partial class NatsJobQueue : IJobQueue
{
    public const string Stream = "INFERENCE_JOBS";
    public const string Subject = "inference.jobs";
    public const string Consumer = "inference-jobs";

    private readonly INatsConnection _nats;
    private readonly IOptions<JobOptions> _options;
    private readonly ILogger<NatsJobQueue> _logger;
    private readonly SemaphoreSlim _setup = new(1, 1);
    private INatsJSContext? _js;
    private INatsJSConsumer? _consumer;
    private long _pending;

    public NatsJobQueue(IServiceProvider services, IOptions<JobOptions> options, ILogger<NatsJobQueue> logger)
    {
        _nats = services.GetRequiredService<INatsConnection>();
        _options = options;
        _logger = logger;
        System.Diagnostics.Metrics.MeterFactoryExtensions.Create(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Inference.Jobs").CreateObservableGauge(
            "inference_jobs_queue_pending", () => Interlocked.Read(ref _pending),
            description: "Job items waiting on the JetStream work queue or taken and not yet acknowledged, as this replica last read them.");
    }

    public bool Enabled => true;

    public async Task AnnounceAsync(string job, int items)
    {
        try
        {
            var js = await ContextAsync();
            for (var start = 0; start < items; start += 500)
            {
                var acks = await Task.WhenAll(Enumerable.Range(start, Math.Min(500, items - start))
                    .Select(i => js.PublishAsync(Subject, Encoding.UTF8.GetBytes($"{job}:{i.ToString(CultureInfo.InvariantCulture)}")).AsTask()));
                foreach (var ack in acks)
                {
                    ack.EnsureSuccess();
                }
            }
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            Log.Unavailable(_logger, ex.Message);
        }
    }

    public async Task<List<QueuedItem>> ReadAsync(string consumer, int count)
    {
        if (count <= 0)
        {
            return [];
        }

        try
        {
            var pull = await ConsumerAsync();
            await pull.RefreshAsync();
            Interlocked.Exchange(ref _pending, (long)(pull.Info.NumPending + (ulong)pull.Info.NumAckPending));
            var items = new List<QueuedItem>();
            await foreach (var message in pull.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = count }))
            {
                var text = Encoding.UTF8.GetString(message.Data ?? []);
                var colon = text.LastIndexOf(':');
                items.Add(colon > 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    ? new QueuedItem(message, text[..colon], index)
                    : new QueuedItem(message, "", -1));
            }

            return items;
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            Log.Unavailable(_logger, ex.Message);
            return [];
        }
    }

    public async Task AckAsync(QueuedItem item)
    {
        if (item.Handle is not NatsJSMsg<byte[]> message)
        {
            return;
        }

        try
        {
            await message.AckAsync();
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            // Delivered again after the claim timeout: another replica finds the item recorded and acknowledges it.
            Log.Unavailable(_logger, ex.Message);
        }
    }

    /// <summary>The stream, made (or its settings kept) by whichever replica comes first.</summary>
    private async Task<INatsJSContext> ContextAsync()
    {
        if (_js is not null)
        {
            return _js;
        }

        await _setup.WaitAsync();
        try
        {
            var js = new NatsJSContext((NatsConnection)_nats);
            await js.CreateOrUpdateStreamAsync(new StreamConfig(Stream, [Subject])
            {
                Retention = StreamConfigRetention.Workqueue,
                Storage = StreamConfigStorage.File,
            });
            return _js = js;
        }
        finally
        {
            _setup.Release();
        }
    }

    private async Task<INatsJSConsumer> ConsumerAsync()
    {
        if (_consumer is not null)
        {
            return _consumer;
        }

        var js = await ContextAsync();
        return _consumer = await js.CreateOrUpdateConsumerAsync(Stream, new ConsumerConfig(Consumer)
        {
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = _options.Value.ClaimTimeout,
            MaxDeliver = -1,
        });
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The job queue on JetStream is unavailable ({Reason}); items are taken from the database meanwhile.")]
        public static partial void Unavailable(ILogger logger, string reason);
    }
}
