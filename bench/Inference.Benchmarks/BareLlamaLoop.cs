using System.Diagnostics;
using System.Numerics.Tensors;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Inference.Benchmarks;

/// <summary>
/// The peer: a bare LLamaSharp loop, one context holding B sequences, each prompt prefilled by its own decode, then
/// one decode of B tokens per step, greedy argmax, no scheduler, no streaming, nothing else on the machine's cores.
/// </summary>
internal sealed class BareLlamaLoop : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();
    private readonly Random _random = new(1);

    public BareLlamaLoop(string file, int threads, int maxStreams)
    {
        var parameters = new ModelParams(file)
        {
            ContextSize = (uint)(maxStreams * 256 + 256),
            SeqMax = (uint)maxStreams,
            KVUnified = true,
            BatchSize = 512,
            UBatchSize = 512,
            Threads = threads,
            BatchThreads = threads,
        };
        _weights = LLamaWeights.LoadFromFile(parameters);
        _context = _weights.CreateContext(parameters);
    }

    /// <summary>Aggregate decode tokens/s and prefill tokens/s for <paramref name="streams"/> sequences.</summary>
    public (double Decode, double Prefill) Run(int streams)
    {
        var handle = _context.NativeHandle;
        handle.MemoryClear(true);
        var index = new int[streams];
        var next = new int[streams];
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < streams; s++)
        {
            _batch.Clear();
            var prompt = Enumerable.Range(0, LlamaBench.PromptTokens).Select(_ => (LLamaToken)_random.Next(100, _weights.Vocab.Count)).ToArray();
            index[s] = _batch.AddRange(prompt, 0, (LLamaSeqId)s, true);
            Decode(handle);
            next[s] = TensorPrimitives.IndexOfMax(handle.GetLogitsIth(index[s]));
        }

        var prefill = streams * LlamaBench.PromptTokens / clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (var step = 1; step < LlamaBench.NewTokens; step++)
        {
            _batch.Clear();
            for (var s = 0; s < streams; s++)
            {
                index[s] = _batch.Add(next[s], LlamaBench.PromptTokens + step - 1, (LLamaSeqId)s, true);
            }

            Decode(handle);
            for (var s = 0; s < streams; s++)
            {
                next[s] = TensorPrimitives.IndexOfMax(handle.GetLogitsIth(index[s]));
            }
        }

        return (streams * (LlamaBench.NewTokens - 1) / clock.Elapsed.TotalSeconds, prefill);
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }

    private void Decode(SafeLLamaContextHandle handle)
    {
        if (handle.Decode(_batch) != DecodeResult.Ok)
        {
            throw new InvalidOperationException("decode failed");
        }
    }
}
