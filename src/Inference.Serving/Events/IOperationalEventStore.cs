namespace Inference.Serving.Events;

/// <summary>Where <c>GET /api/operational-events</c> reads from: the metadata database, or this service's memory.</summary>
public interface IOperationalEventStore
{
    Task<OperationalEventPage> QueryAsync(OperationalEventQuery query, CancellationToken cancellationToken);
}
