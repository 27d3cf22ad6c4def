using System.Diagnostics;
using Inference.Engines;
using Inference.LlamaCpp;
using Inference.LlamaCpp.Scheduling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inference.Benchmarks;

/// <summary>
/// The llama.cpp engine's own loop (scheduler and streaming, no HTTP) at 1, 4 and 8 concurrent streams, against its
/// peer in the same run, alternating so that the machine's noise falls on both: the bare LLamaSharp loop, on the
/// same compute thread. 128-token prompts of random tokens, 128 new tokens each (end-of-generation ignored), greedy.
/// </summary>
internal static class LlamaLoopBenchmark
{
    private const int Runs = 5;

    public static void Run(string file, int threads)
    {
        Console.WriteLine($"== {Path.GetFileName(file)} ({new FileInfo(file).Length / (1024 * 1024)} MiB), {threads} threads, {Runs} alternating runs each");
        using var model = LlamaChatModel.Load(
            new ModelLoadRequest("bench", file, ModelKind.Chat),
            new LlamaCppEngineOptions { Threads = threads, MaxSequences = 8, ContextLength = 512, PrefixCache = false },
            NullLogger.Instance);
        var client = new LlamaChatClient(model);
        using var bare = LlamaComputeThread.Run(() => new BareLlamaLoop(file, threads, LlamaBench.Streams.Max()));
        var random = new Random(1);
        foreach (var streams in LlamaBench.Streams)
        {
            LlamaComputeThread.Run(() => bare.Run(streams));
            Engine(client, model, random, streams);
            List<double> peer = [], peerPrefill = [], engine = [], firstToken = [], ratios = [];
            for (var run = 0; run < Runs; run++)
            {
                var (decode, prefill) = LlamaComputeThread.Run(() => bare.Run(streams));
                var ours = Engine(client, model, random, streams);
                peer.Add(decode);
                peerPrefill.Add(prefill);
                engine.Add(ours.Decode);
                firstToken.Add(ours.FirstToken);
                ratios.Add(ours.Decode / decode);
            }

            Console.WriteLine($"{streams} streams: engine {LlamaBench.Median(engine):F1} tok/s ({LlamaBench.Range(engine)}), bare loop {LlamaBench.Median(peer):F1} ({LlamaBench.Range(peer)}), " +
                $"ratio {LlamaBench.Median(ratios):F2} ({LlamaBench.Range(ratios, "F2")}); engine time to first token {LlamaBench.Median(firstToken):F0} ms; bare prefill {LlamaBench.Median(peerPrefill):F0} tok/s");
            if (streams == 1)
            {
                Console.WriteLine($"1 stream: engine prompt processing {LlamaBench.PromptTokens / (LlamaBench.Median(firstToken) / 1000):F0} tok/s ({LlamaBench.PromptTokens}-token prompt, time to first token)");
            }
        }
    }

    /// <summary>B requests submitted together to the scheduler; each token's time taken on the compute thread.</summary>
    private static (double Decode, double FirstToken) Engine(LlamaChatClient client, LlamaChatModel model, Random random, int streams)
    {
        var started = Stopwatch.GetTimestamp();
        var runs = Enumerable.Range(0, streams).Select(_ =>
        {
            var times = new List<long>(LlamaBench.NewTokens);
            var request = new SequenceRequest
            {
                Prompt = [.. Enumerable.Range(0, LlamaBench.PromptTokens).Select(_ => random.Next(100, model.Vocabulary.Count))],
                Sampling = new SamplingSettings(),
                MaxNewTokens = LlamaBench.NewTokens,
                IgnoreEndOfGeneration = true,
                TokenObserver = (_, _) => times.Add(Stopwatch.GetTimestamp()),
            };
            return (Times: times, Done: Task.Run(() => client.Run(request, CancellationToken.None).ToChatResponseAsync()));
        }).ToList();
        Task.WaitAll([.. runs.Select(r => r.Done)]);
        if (runs.Any(r => r.Times.Count != LlamaBench.NewTokens))
        {
            throw new InvalidOperationException("a stream did not produce every token");
        }

        return (LlamaBench.SteadyDecode([.. runs.Select(r => r.Times)]),
            LlamaBench.Median(runs.Select(r => Stopwatch.GetElapsedTime(started, r.Times[0]).TotalMilliseconds)));
    }
}
