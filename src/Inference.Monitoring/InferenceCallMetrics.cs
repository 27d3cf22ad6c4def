using System.Diagnostics;
using Inference.Serving.Auditing;

namespace Inference.Monitoring;

/// <summary>
/// A call sink beside the audit log: each finished call is counted and timed under the <c>ml_inference_*</c> metric names, kept in
/// the <see cref="CallWindow"/> and announced on the live event stream.
/// </summary>
internal sealed class InferenceCallMetrics(MonitoringTelemetry telemetry, CallWindow window, MonitoringEvents events) : IInferenceAuditLog
{
    public void Record(InferenceCall call)
    {
        var tags = new TagList
        {
            { "model", call.Model },
            { "operation", call.Operation },
            { "provider", call.Provider },
            { "status", call.Status },
        };
        telemetry.Requests.Add(1, tags);
        telemetry.Duration.Record(call.Latency.TotalSeconds, tags);
        if (call.TimeToFirstToken is { } first)
        {
            telemetry.TimeToFirstToken.Record(first.TotalSeconds, new TagList { { "model", call.Model }, { "provider", call.Provider } });
        }

        if (call.Status == InferenceCall.Failed)
        {
            telemetry.Errors.Add(1, new TagList
            {
                { "model", call.Model },
                { "operation", call.Operation },
                { "provider", call.Provider },
                { "error_type", ErrorType(call.Error) },
            });
        }

        window.Add(call);
        if (events.Subscribers > 0)
        {
            // Written as JSON only when someone watches the live stream.
            events.Publish(MonitoringEvent.Request(call));
        }
    }

    /// <summary>The exception's type name, which the recorder puts first ("TimeoutRejectedException: ..."), as a low-cardinality tag.</summary>
    private static string ErrorType(string? error) =>
        error is null ? "unknown" : error.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon ? error[..colon] : "unknown";
}
