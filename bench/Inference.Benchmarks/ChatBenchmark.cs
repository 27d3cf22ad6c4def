using System.Diagnostics;
using Inference.Onnx;
using Inference.Onnx.Chat;
using Inference.Onnx.Generation;

namespace Inference.Benchmarks;

/// <summary>Single-stream prefill, time to first token and decode speed, measured on the engine's own loop.</summary>
internal static class ChatBenchmark
{
    private const int PromptTokens = 128;
    private const int DecodeTokens = 128;
    private const int Runs = 5;

    public static void Run(string folder, OnnxEngineOptions options)
    {
        var load = Stopwatch.StartNew();
        using var model = LocalChatModel.Load(Path.GetFileName(folder), folder, options);
        Console.WriteLine($"chat model: {folder} ({model.Generator.Model.Cache.Layers} layers, vocab {model.Generator.Model.VocabSize}), loaded in {load.ElapsedMilliseconds} ms");

        var random = new Random(0);
        var prompt = Enumerable.Range(0, PromptTokens).Select(_ => random.Next(10, model.Generator.Model.VocabSize)).ToArray();
        var settings = new GenerationSettings { MaxNewTokens = DecodeTokens, StopTokenIds = [] };

        Measure(model, prompt, settings); // warm-up
        var results = Enumerable.Range(0, Runs).Select(_ => Measure(model, prompt, settings)).ToList();
        var ttft = Median(results.Select(r => r.FirstToken.TotalMilliseconds));
        var decode = Median(results.Select(r => (DecodeTokens - 1) / (r.Total - r.FirstToken).TotalSeconds));
        Console.WriteLine($"prompt processing: {PromptTokens / (ttft / 1000):F0} tokens/s ({PromptTokens}-token prompt)");
        Console.WriteLine($"time to first token: {ttft:F1} ms ({PromptTokens}-token prompt)");
        Console.WriteLine($"decode: {decode:F1} tokens/s single stream ({DecodeTokens} tokens)");
    }

    private static (TimeSpan FirstToken, TimeSpan Total) Measure(LocalChatModel model, int[] prompt, GenerationSettings settings)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;
        var produced = 0;
        foreach (var chunk in model.Generator.GenerateAsync(prompt, settings).ToBlockingEnumerable())
        {
            first ??= clock.Elapsed;
            produced += chunk.Finish is null ? 0 : chunk.Finish.CompletionTokens;
        }

        if (produced != settings.MaxNewTokens)
        {
            throw new InvalidOperationException($"Expected {settings.MaxNewTokens} tokens, got {produced}.");
        }

        return (first ?? clock.Elapsed, clock.Elapsed);
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
