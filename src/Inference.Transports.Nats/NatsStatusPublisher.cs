using System.Text.Json;
using Inference.Serving.Catalog;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace Inference.Transports.Nats;

/// <summary>
/// Each served model's heartbeat on <c>models.MODEL.heartbeat</c> (at start: the replica announces what it serves;
/// then every heartbeat interval; at stop, with status draining) and its load on <c>monitoring.inference.MODEL</c>
/// (every busy interval while requests wait, every idle interval otherwise).
/// </summary>
internal sealed partial class NatsStatusPublisher(
    INatsConnection nats,
    ModelCatalog catalog,
    NatsReplica replica,
    IOptions<NatsOptions> options,
    TimeProvider time,
    ILogger<NatsStatusPublisher> logger) : BackgroundService
{
    private IReadOnlyList<ServedModel> _models = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!catalog.IsReady)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
        }

        var settings = options.Value;
        var nextHeartbeat = time.GetUtcNow();
        var lastReport = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        using var tick = new PeriodicTimer(Min(settings.MonitoringBusyInterval, settings.HeartbeatInterval, settings.MonitoringIdleInterval), time);
        do
        {
            var now = time.GetUtcNow();
            var known = _models.Count;

            // The models served follow the catalog (versions loaded and unloaded at run time); a new one is announced at once.
            _models = [.. catalog.Models.Where(m => NatsResponder.Answers(m) && NatsSubjects.CanName(m.Id))];
            if (_models.Count > known)
            {
                nextHeartbeat = now;
            }

            try
            {
                if (now >= nextHeartbeat)
                {
                    await HeartbeatAsync("online", stoppingToken);
                    nextHeartbeat = now + settings.HeartbeatInterval;
                }

                foreach (var model in _models)
                {
                    var load = replica.Load(model);
                    var interval = load.PendingMessages > 0 || load.ActiveProcessing > 0 ? settings.MonitoringBusyInterval : settings.MonitoringIdleInterval;
                    if (!lastReport.TryGetValue(model.Id, out var last) || now - last >= interval)
                    {
                        await nats.PublishAsync(NatsSubjects.Monitoring(model.Id), JsonSerializer.SerializeToUtf8Bytes(load, NatsJsonContext.Default.NatsLoadReport), cancellationToken: stoppingToken);
                        lastReport[model.Id] = now;
                    }
                }
            }
            catch (NatsException ex)
            {
                // The server away for a moment: the next tick reports again once the client has reconnected.
                Log.NotPublished(logger, ex);
            }
        }
        while (await tick.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await HeartbeatAsync("draining", cancellationToken);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException)
        {
            Log.NotPublished(logger, ex);
        }
    }

    private async Task HeartbeatAsync(string status, CancellationToken cancellationToken)
    {
        foreach (var model in _models)
        {
            await nats.PublishAsync(NatsSubjects.Heartbeat(model.Id), JsonSerializer.SerializeToUtf8Bytes(replica.Status(model, status), NatsJsonContext.Default.NatsModelStatus), cancellationToken: cancellationToken);
        }
    }

    private static TimeSpan Min(params TimeSpan[] intervals) => intervals.Min();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "A heartbeat or load report could not be published on NATS.")]
        public static partial void NotPublished(ILogger logger, Exception exception);
    }
}
