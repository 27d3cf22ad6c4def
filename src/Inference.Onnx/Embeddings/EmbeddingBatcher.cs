using System.Threading.Channels;
using Inference.Onnx.Scheduling;

namespace Inference.Onnx.Embeddings;

/// <summary>
/// Embeds the inputs of concurrent requests on one model together: each input waits in one channel; a single loop
/// takes what is waiting (at most the batch size; while the model is under concurrent load, waiting up to the batch
/// timeout for more when the batch is not full), sorts it by length so rows of a run pad little, runs it through the
/// model, and hands each request its vectors when all of its inputs are done. Requests that arrive while a batch runs
/// form the next. A request counts against the model's queue limit while none of its inputs has started.
/// </summary>
internal sealed class EmbeddingBatcher : IDisposable
{
    private readonly Channel<Item> _items = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<List<long[]>, List<float[]>> _run;
    private readonly ModelRequestQueue _queue;
    private readonly int _batchSize;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _lastRequests;

    public EmbeddingBatcher(Func<List<long[]>, List<float[]>> run, ModelRequestQueue queue, int batchSize, TimeSpan timeout)
    {
        _run = run;
        _queue = queue;
        _batchSize = batchSize;
        _timeout = timeout;
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>The vectors of <paramref name="inputs"/>, in order.</summary>
    /// <exception cref="Inference.Engines.ModelBusyException">The model's queue is full.</exception>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<long[]> inputs, CancellationToken cancellationToken)
    {
        if (inputs.Count == 0)
        {
            return [];
        }

        _queue.Wait();
        var request = new Request(inputs.Count, _queue);
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                _items.Writer.TryWrite(new Item(request, i, inputs[i]));
            }

            using var registration = cancellationToken.Register(() => request.Completion.TrySetCanceled(cancellationToken));
            return await request.Completion.Task.ConfigureAwait(false);
        }
        finally
        {
            request.Started();
        }
    }

    public void Dispose()
    {
        _items.Writer.TryComplete();
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Stopped.
        }

        // The model is going away: whoever still waits is told so rather than left waiting.
        while (_items.Reader.TryRead(out var item))
        {
            item.Request.Completion.TrySetException(new ObjectDisposedException(nameof(LocalEmbeddingModel), "The model was unloaded."));
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        var reader = _items.Reader;
        var batch = new List<Item>(_batchSize);
        var requests = new HashSet<Request>(ReferenceEqualityComparer.Instance);
        while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            batch.Clear();
            Take(reader, batch);

            // The window is for a model under concurrent load (its last batch served several requests): a lone
            // caller's request runs at once and pays no wait.
            if (batch.Count < _batchSize && _timeout > TimeSpan.Zero && _lastRequests > 1)
            {
                await WaitForMoreAsync(reader, batch, stop).ConfigureAwait(false);
            }

            // Requests cancelled while they waited leave their inputs behind.
            batch.RemoveAll(item => item.Request.Completion.Task.IsCompleted);
            if (batch.Count == 0)
            {
                continue;
            }

            batch.Sort(static (a, b) => a.Tokens.Length.CompareTo(b.Tokens.Length));
            requests.Clear();
            foreach (var item in batch)
            {
                if (requests.Add(item.Request))
                {
                    item.Request.Started();
                }
            }

            _lastRequests = requests.Count;
            using var running = _queue.Run(requests.Count);
            Run(batch);
        }
    }

    private void Take(ChannelReader<Item> reader, List<Item> batch)
    {
        while (batch.Count < _batchSize && reader.TryRead(out var item))
        {
            batch.Add(item);
        }
    }

    private async Task WaitForMoreAsync(ChannelReader<Item> reader, List<Item> batch, CancellationToken stop)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(stop);
        window.CancelAfter(_timeout);
        try
        {
            while (batch.Count < _batchSize && await reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
            {
                Take(reader, batch);
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // The window closed: run what there is.
        }
    }

    private void Run(List<Item> batch)
    {
        List<float[]> vectors;
        try
        {
            vectors = _run(batch.ConvertAll(item => item.Tokens));
        }
        catch (Exception ex)
        {
            foreach (var item in batch)
            {
                item.Request.Completion.TrySetException(ex);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Request.Done(batch[i].Index, vectors[i]);
        }
    }

    private readonly record struct Item(Request Request, int Index, long[] Tokens);

    private sealed class Request(int count, ModelRequestQueue queue)
    {
        private readonly float[][] _vectors = new float[count][];
        private int _remaining = count;
        private int _waiting = 1;

        public TaskCompletionSource<float[][]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Stops counting the request as waiting (once: when its first input runs, or it ends).</summary>
        public void Started()
        {
            if (Interlocked.Exchange(ref _waiting, 0) == 1)
            {
                queue.StopWaiting();
            }
        }

        public void Done(int index, float[] vector)
        {
            _vectors[index] = vector;
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                Completion.TrySetResult(_vectors);
            }
        }
    }
}
