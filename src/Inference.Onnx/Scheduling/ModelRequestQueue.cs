using Inference.Engines.Text;

namespace Inference.Onnx.Scheduling;

/// <summary>
/// Admission to one model: at most <c>concurrency</c> requests run, at most <c>queueLimit</c> wait, and the rest are
/// refused at once with <see cref="ModelBusyException"/> rather than piling up unbounded.
/// </summary>
public sealed class ModelRequestQueue(string model, int concurrency, int queueLimit) : IModelRuntimeStatus, IDisposable
{
    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);
    private int _waiting;
    private int _running;
    private long _admitted;

    public string Model => model;

    /// <summary>Requests waiting for a slot.</summary>
    public int Depth => Volatile.Read(ref _waiting);

    /// <summary>Requests holding a slot.</summary>
    public int Running => Volatile.Read(ref _running);

    public int QueueLimit => queueLimit;

    /// <summary>Requests that have been given a slot since the model was loaded.</summary>
    public long Admitted => Interlocked.Read(ref _admitted);

    /// <summary>Tokens the model's requests generate, for the tokens-per-second gauge.</summary>
    public TokenRate Generated { get; } = new();

    int IModelRuntimeStatus.QueueDepth => Depth;

    int IModelRuntimeStatus.QueueCapacity => queueLimit;

    int IModelRuntimeStatus.ActiveSequences => Running;

    int IModelRuntimeStatus.MaxSequences => concurrency;

    int? IModelRuntimeStatus.KvCellsUsed => null;

    int? IModelRuntimeStatus.KvCellsCapacity => null;

    double IModelRuntimeStatus.TokensPerSecond => Generated.PerSecond();

    public async ValueTask<Lease> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0, CancellationToken.None))
        {
            Wait();
            try
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        Interlocked.Increment(ref _running);
        Interlocked.Increment(ref _admitted);
        return new Lease(this);
    }

    /// <summary>
    /// Counts a request that waits outside the slots (in a batcher, until its batch runs): refused at once with
    /// <see cref="ModelBusyException"/> when <c>queueLimit</c> already wait. Pair with <see cref="StopWaiting"/>.
    /// </summary>
    public void Wait()
    {
        if (Interlocked.Increment(ref _waiting) > queueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            EngineTelemetry.Rejected.Add(1, EngineTelemetry.Tag(model));
            throw new ModelBusyException(model, queueLimit);
        }
    }

    /// <summary>A request counted by <see cref="Wait"/> has started (or gave up).</summary>
    public void StopWaiting()
    {
        Interlocked.Decrement(ref _waiting);
        Interlocked.Increment(ref _admitted);
    }

    /// <summary>Counts work running outside the slots (a batch of requests counted by <see cref="Wait"/>) while the scope lives.</summary>
    public RunScope Run(int requests)
    {
        Interlocked.Add(ref _running, requests);
        return new RunScope(this, requests);
    }

    public void Dispose()
    {
        EngineTelemetry.Untrack(this);
        _slots.Dispose();
    }

    public readonly struct RunScope(ModelRequestQueue queue, int requests) : IDisposable
    {
        public void Dispose() => Interlocked.Add(ref queue._running, -requests);
    }

    public readonly struct Lease(ModelRequestQueue queue) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.Decrement(ref queue._running);
            queue._slots.Release();
        }
    }
}
