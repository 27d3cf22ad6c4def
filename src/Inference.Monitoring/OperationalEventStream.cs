using Inference.Serving.Events;

namespace Inference.Monitoring;

/// <summary>Pushes each operational event on the live stream (<c>/api/events</c>, event type <c>operational</c>) the dashboard reads.</summary>
internal sealed class OperationalEventStream(MonitoringEvents events) : IOperationalEventSink
{
    public void Write(OperationalEvent operationalEvent) => events.Publish(MonitoringEvent.Operational(operationalEvent));
}
