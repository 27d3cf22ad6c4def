namespace Inference.Serving.Events;

/// <summary>Where operational events go besides this service's memory: the metadata database, the live event stream.</summary>
public interface IOperationalEventSink
{
    /// <summary>Takes the event without waiting (the caller may be on a request's path).</summary>
    void Write(OperationalEvent operationalEvent);
}
