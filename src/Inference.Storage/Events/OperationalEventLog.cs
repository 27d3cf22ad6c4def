using Inference.Storage.Data;
using Inference.Storage.Durability;
using Inference.Serving.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Storage.Events;

/// <summary>
/// Operational events on their way to the metadata database: queued, then written by <see cref="OperationalEventWriter"/>
/// in batches; kept in memory and spilled to disk while the database is down, never dropped (the audit log's way).
/// </summary>
internal sealed class OperationalEventLog(IOptions<MetadataOptions> options, ILogger<OperationalEventLog> logger) : IOperationalEventSink
{
    public DurableQueue<OperationalEventRecord> Queue { get; } = new(
        options.Value.Audit.Capacity,
        new SpillFile<OperationalEventRecord>(options.Value.Audit.SpillDirectory, "events", StorageJsonContext.Default.OperationalEventRecord, "operational events", logger));

    public void Write(OperationalEvent operationalEvent)
    {
        ArgumentNullException.ThrowIfNull(operationalEvent);
        Queue.Enqueue(new OperationalEventRecord
        {
            Id = operationalEvent.Id,
            Timestamp = operationalEvent.Timestamp.ToUniversalTime(),
            Level = operationalEvent.Level,
            Code = Truncate(operationalEvent.Code, 100),
            Message = Truncate(operationalEvent.Message, 2000),
            Service = Truncate(operationalEvent.Service, 200),
            Model = operationalEvent.Model is { } model ? Truncate(model, 200) : null,
            DurationMs = operationalEvent.DurationMs,
        });
    }

    public static OperationalEvent ToEvent(OperationalEventRecord row) =>
        new(row.Id, row.Timestamp, row.Level, row.Code, row.Message, row.Service, row.Model, row.DurationMs);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
