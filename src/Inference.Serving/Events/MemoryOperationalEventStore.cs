namespace Inference.Serving.Events;

/// <summary>The events this service holds in memory (a service without a metadata database: the Worker, the Embeddings service).</summary>
internal sealed class MemoryOperationalEventStore(OperationalEvents events) : IOperationalEventStore
{
    public const string SourceName = "memory";

    public Task<OperationalEventPage> QueryAsync(OperationalEventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(query.PageOf(events.Recent(), SourceName));
    }
}
