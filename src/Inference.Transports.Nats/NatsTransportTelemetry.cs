using System.Diagnostics.Metrics;

namespace Inference.Transports.Nats;

/// <summary>The NATS transport's metrics: messages in and out per subject, request latency, refused messages.</summary>
internal sealed class NatsTransportTelemetry
{
    public const string MeterName = "Inference.Nats";

    private readonly Counter<long> _received;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _duration;

    public NatsTransportTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _received = meter.CreateCounter<long>("inference_nats_messages_received", description: "Request messages received, by subject.");
        _sent = meter.CreateCounter<long>("inference_nats_messages_sent", description: "Reply messages sent (stream pieces included), by the request's subject.");
        _refused = meter.CreateCounter<long>("inference_nats_errors", description: "Requests answered with an error reply, by subject.");
        _duration = meter.CreateHistogram<double>("inference_nats_request_duration", "s", "Time from a request message to its last reply, by subject.");
    }

    public void Received(string subject) => _received.Add(1, new KeyValuePair<string, object?>("subject", subject));

    public void Sent(string subject) => _sent.Add(1, new KeyValuePair<string, object?>("subject", subject));

    public void Refused(string subject) => _refused.Add(1, new KeyValuePair<string, object?>("subject", subject));

    public void Answered(string subject, TimeSpan duration) => _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("subject", subject));
}
