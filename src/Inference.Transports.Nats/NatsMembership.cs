using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace Inference.Transports.Nats;

/// <summary>
/// The replicas each model's queue group has, as their heartbeats tell (every service on the server hears them):
/// a replica counts while its last heartbeat, not a draining one, is under three heartbeat intervals old. Metered as
/// <c>inference_nats_queue_group_members</c> by model.
/// </summary>
internal sealed class NatsMembership : BackgroundService
{
    private readonly INatsConnection _nats;
    private readonly IOptions<NatsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Model, string Replica), (DateTimeOffset Seen, bool Online)> _replicas = new();

    public NatsMembership(INatsConnection nats, IOptions<NatsOptions> options, TimeProvider time, IMeterFactory meters)
    {
        _nats = nats;
        _options = options;
        _time = time;
        meters.Create(NatsTransportTelemetry.MeterName).CreateObservableGauge(
            "inference_nats_queue_group_members", Members, description: "Replicas in each model's queue group, by their recent heartbeats.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _nats.SubscribeAsync<byte[]>("models.>", cancellationToken: stoppingToken))
            {
                if (!message.Subject.EndsWith(".heartbeat", StringComparison.Ordinal) || message.Data is not { Length: > 0 } data)
                {
                    continue;
                }

                try
                {
                    var beat = JsonSerializer.Deserialize(data, NatsJsonContext.Default.NatsModelStatus);
                    if (beat is { ModelName.Length: > 0, Replica.Length: > 0 })
                    {
                        _replicas[(beat.ModelName, beat.Replica)] = (_time.GetUtcNow(), beat.Status == "online");
                    }
                }
                catch (JsonException)
                {
                    // Not a heartbeat of ours: not counted.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private IEnumerable<Measurement<int>> Members()
    {
        var since = _time.GetUtcNow() - (3 * _options.Value.HeartbeatInterval);
        return _replicas.Where(r => r.Value.Online && r.Value.Seen >= since)
            .GroupBy(r => r.Key.Model)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("model", g.Key)));
    }
}
