using Inference.Engines;
using Inference.Onnx.Embeddings;
using Inference.Onnx.Scheduling;

namespace Inference.Onnx.Tests;

/// <summary>
/// The embedding batcher over a run it can hold: requests that arrive while a batch runs form the next one, the
/// model's queue limit counts requests that have not started, a cancelled request leaves the others, a lone request
/// does not wait for the window, and a failing run fails only its own batch.
/// </summary>
public sealed class EmbeddingBatcherTests : IDisposable
{
    private readonly ModelRequestQueue _queue = new("m", concurrency: 1, queueLimit: 2);
    private readonly SemaphoreSlim _gate = new(0);
    private readonly List<int> _batches = [];
    private Exception? _failNext;

    public void Dispose()
    {
        _queue.Dispose();
        _gate.Dispose();
    }

    [Fact]
    public async Task Requests_arriving_during_a_run_form_the_next_batch_beyond_the_limit_they_are_refused_and_a_cancelled_one_leaves()
    {
        using var batcher = new EmbeddingBatcher(Run, _queue, batchSize: 8, TimeSpan.Zero);
        var first = batcher.EmbedAsync([[1, 2]], CancellationToken.None);
        await Eventually(() => _queue.Running == 1);

        // The first runs (held); two wait; a third finds the queue full.
        using var cancel = new CancellationTokenSource();
        var second = batcher.EmbedAsync([[3], [4, 5, 6]], CancellationToken.None);
        var third = batcher.EmbedAsync([[7]], cancel.Token);
        Assert.Equal(2, _queue.Depth);
        await Assert.ThrowsAsync<ModelBusyException>(() => batcher.EmbedAsync([[8]], CancellationToken.None));

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
        Assert.Equal(1, _queue.Depth);

        _gate.Release(2);
        Assert.Equal(new[] { 2f }, Assert.Single(await first));
        var vectors = await second;
        Assert.Equal(new[] { new[] { 1f }, new[] { 3f } }, vectors);

        // One run each: the first alone, then the second's two inputs together (the cancelled one left out).
        Assert.Equal([1, 2], _batches);
        Assert.Equal(0, _queue.Depth);
        Assert.Equal(0, _queue.Running);
    }

    [Fact]
    public async Task A_lone_request_runs_at_once_and_a_failed_run_fails_only_its_requests()
    {
        using var batcher = new EmbeddingBatcher(Run, _queue, batchSize: 8, TimeSpan.FromSeconds(30));
        _gate.Release();
        var lone = await batcher.EmbedAsync([[1]], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new[] { 1f }, Assert.Single(lone));

        _failNext = new InvalidOperationException("broken");
        _gate.Release();
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.EmbedAsync([[1]], CancellationToken.None));
        Assert.Equal("broken", failed.Message);

        _gate.Release();
        var last = await batcher.EmbedAsync([[1, 2]], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new[] { 2f }, Assert.Single(last));
    }

    /// <summary>A "model" whose vector for an input is its length, held until the test releases it.</summary>
    private List<float[]> Run(List<long[]> batch)
    {
        _gate.Wait();
        lock (_batches)
        {
            _batches.Add(batch.Count);
        }

        if (Interlocked.Exchange(ref _failNext, null) is { } failure)
        {
            throw failure;
        }

        return batch.ConvertAll(tokens => new[] { (float)tokens.Length });
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
