using Inference.Storage.Data;
using Inference.Storage.Durability;
using Inference.Serving.Catalog;
using Inference.Serving.Auditing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Storage.Auditing;

/// <summary>
/// The request path's side of the audit log: a call becomes a row of a <see cref="DurableQueue{T}"/> that
/// <see cref="AuditLogWriter"/> empties in batches, so an accepted call is never dropped and a request never waits for
/// the database.
/// </summary>
internal sealed class AuditLog(IOptions<MetadataOptions> options, ILogger<AuditLog> logger, IModelVersions? versions = null) : IInferenceAuditLog
{
    public DurableQueue<AuditRecord> Queue { get; } = new(
        options.Value.Audit.Capacity,
        new SpillFile<AuditRecord>(options.Value.Audit.SpillDirectory, "audit", StorageJsonContext.Default.AuditRecord, "audit records", logger));

    /// <summary>Rows accepted but not yet in the database: queued, being written, and spilled.</summary>
    public long Pending => Queue.Pending;

    public void Record(InferenceCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        Queue.Enqueue(new AuditRecord
        {
            Id = call.Id,
            RequestId = Truncate(call.RequestId, 128),
            Model = call.Route?.Name ?? call.Model,
            Version = call.Route?.Version ?? versions?.VersionOf(call.Model),
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
        });
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
