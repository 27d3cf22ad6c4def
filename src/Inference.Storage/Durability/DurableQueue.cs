using System.Threading.Channels;

namespace Inference.Storage.Durability;

/// <summary>
/// The request path's side of a log kept in the database: a row goes into a bounded in-memory queue that its
/// <see cref="DurableQueueWriter{T}"/> empties in batches; when the queue is full it goes to the spill file instead, so an
/// accepted row is never dropped and no caller waits for the database.
/// </summary>
internal sealed class DurableQueue<T>
{
    private readonly Channel<T> _queue;
    private List<T>? _inFlight;

    public DurableQueue(int capacity, SpillFile<T> spill)
    {
        _queue = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        Spill = spill;
    }

    public SpillFile<T> Spill { get; }

    /// <summary>Rows accepted but not yet in the database: queued, being written, and spilled.</summary>
    public long Pending => _queue.Reader.Count + (_inFlight?.Count ?? 0) + Spill.Pending;

    public ChannelReader<T> Reader => _queue.Reader;

    public void Enqueue(T row)
    {
        if (!_queue.Writer.TryWrite(row))
        {
            Spill.Append([row]);
        }
    }

    /// <summary>Moves up to <paramref name="size"/> queued rows into <paramref name="batch"/>, which stays pending until <see cref="Written"/>.</summary>
    public void Take(List<T> batch, int size)
    {
        batch.Clear();
        while (batch.Count < size && _queue.Reader.TryRead(out var row))
        {
            batch.Add(row);
        }

        _inFlight = batch;
    }

    public void Written() => _inFlight = null;

    /// <summary>At shutdown: everything not yet written, the batch in flight first.</summary>
    public List<T> Drain()
    {
        List<T> rest = [.. _inFlight ?? []];
        _inFlight = null;
        while (_queue.Reader.TryRead(out var row))
        {
            rest.Add(row);
        }

        return rest;
    }
}
