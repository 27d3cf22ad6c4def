using System.Threading.Channels;
using Inference.Metadata.Data;
using Inference.Metadata.Registry;
using Inference.Serving.Auditing;
using Microsoft.Extensions.Options;

namespace Inference.Metadata.Auditing;

/// <summary>
/// The request path's side of the audit log: a call becomes a row in a bounded in-memory queue that
/// <see cref="AuditLogWriter"/> empties in batches. When the queue is full the row goes to the spill file instead, so
/// an accepted call is never dropped and a request never waits for the database.
/// </summary>
internal sealed class AuditLog : IInferenceAuditLog
{
    private readonly Channel<AuditRecord> _queue;
    private readonly AuditSpill _spill;
    private readonly ModelRegistry _registry;
    private List<AuditRecord>? _inFlight;

    public AuditLog(IOptions<MetadataOptions> options, AuditSpill spill, ModelRegistry registry)
    {
        _queue = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(options.Value.Audit.Capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _spill = spill;
        _registry = registry;
    }

    /// <summary>Rows accepted but not yet in the database: queued, being written, and spilled.</summary>
    public long Pending => _queue.Reader.Count + (_inFlight?.Count ?? 0) + _spill.Pending;

    public ChannelReader<AuditRecord> Reader => _queue.Reader;

    public void Record(InferenceCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var record = new AuditRecord
        {
            Id = call.Id,
            RequestId = Truncate(call.RequestId, 128),
            Model = call.Route?.Name ?? call.Model,
            Version = call.Route?.Version ?? _registry.DefaultVersion(call.Model),
            Provider = call.Provider,
            Operation = call.Operation,
            InputTokens = call.InputTokens,
            OutputTokens = call.OutputTokens,
            LatencyMs = call.Latency.TotalMilliseconds,
            TimeToFirstTokenMs = call.TimeToFirstToken?.TotalMilliseconds,
            Status = call.Status,
            Error = call.Error,
            Caller = call.Caller is null ? null : Truncate(call.Caller, 200),
            KeyId = call.KeyId is null ? null : Truncate(call.KeyId, 200),
            Tenant = call.Tenant is null ? null : Truncate(call.Tenant, 200),
            Timestamp = call.Timestamp.ToUniversalTime(),
            Experiment = call.Route?.Experiment,
            Arm = call.Route?.Arm,
            FallbackFrom = call.Route?.FallbackFrom,
            Attempt = call.Route?.Number ?? 1,
        };

        if (!_queue.Writer.TryWrite(record))
        {
            _spill.Append([record]);
        }
    }

    /// <summary>Moves up to <paramref name="size"/> queued rows into <paramref name="batch"/>, which stays pending until <see cref="Written"/>.</summary>
    public void Take(List<AuditRecord> batch, int size)
    {
        batch.Clear();
        while (batch.Count < size && _queue.Reader.TryRead(out var record))
        {
            batch.Add(record);
        }

        _inFlight = batch;
    }

    public void Written() => _inFlight = null;

    /// <summary>At shutdown: everything not yet written, the batch in flight first.</summary>
    public List<AuditRecord> Drain()
    {
        List<AuditRecord> rest = [.. _inFlight ?? []];
        _inFlight = null;
        while (_queue.Reader.TryRead(out var record))
        {
            rest.Add(record);
        }

        return rest;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
