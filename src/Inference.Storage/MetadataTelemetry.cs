using System.Diagnostics.Metrics;
using Inference.Storage.Auditing;

namespace Inference.Storage;

/// <summary>Meter "Inference.Storage": audit rows written, failed writes, and calls waiting to be written.</summary>
internal sealed class MetadataTelemetry : IDisposable
{
    public const string MeterName = "Inference.Storage";

    private readonly Meter _meter;

    public MetadataTelemetry(IMeterFactory meters, AuditLog log)
    {
        _meter = meters.Create(MeterName);
        Written = _meter.CreateCounter<long>("inference.audit.written", "{record}", "Audit records written to the database.");
        WriteFailures = _meter.CreateCounter<long>("inference.audit.write_failures", "{attempt}", "Audit writes that failed and will be retried.");
        _meter.CreateObservableGauge("inference.audit.pending", () => log.Pending, "{record}", "Audit records accepted but not yet in the database (memory and spill files).");
    }

    public Counter<long> Written { get; }

    public Counter<long> WriteFailures { get; }

    public void Dispose() => _meter.Dispose();
}
