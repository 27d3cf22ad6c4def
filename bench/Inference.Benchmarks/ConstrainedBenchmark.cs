using System.Diagnostics;
using System.Text.Json;
using Inference.Engines;
using Inference.Engines.Grammars;
using Inference.LlamaCpp;
using Inference.Onnx;
using Inference.Onnx.Chat;
using Inference.Onnx.Generation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inference.Benchmarks;

/// <summary>
/// Decode speed with and without a JSON-schema constraint, each engine on its own loop, runs interleaved so that the
/// machine's noise falls on both; and, for the ONNX engine's own masking, the cost of a step's check and of a full
/// mask over the vocabulary, replayed on the constrained run's tokens.
/// </summary>
internal static class ConstrainedBenchmark
{
    private const int Runs = 5;
    private const int MaxTokens = 160;

    /// <summary>A schema whose answer runs long: six strings, a bounded integer and an enum.</summary>
    public const string Schema = """{"type":"object","properties":{"notes":{"type":"array","items":{"type":"string","maxLength":24},"minItems":6,"maxItems":6},"count":{"type":"integer","minimum":0,"maximum":1000},"kind":{"enum":["alpha","beta","gamma"]}},"required":["notes","count","kind"],"additionalProperties":false}""";

    public static void RunOnnx(string folder, OnnxEngineOptions options)
    {
        using var model = LocalChatModel.Load(Path.GetFileName(folder), folder, options);
        var grammar = JsonSchemaGrammar.Compile(JsonDocument.Parse(Schema).RootElement);
        var build = Stopwatch.StartNew();
        _ = model.Trie;
        Console.WriteLine($"constrained (onnx {Path.GetFileName(folder)}): token trie of {model.Trie.VocabularySize} tokens, {model.Trie.NodeCount} nodes, built in {build.ElapsedMilliseconds} ms");

        var prompt = model.Tokenizer.Encode("<|im_start|>user\nWrite the notes.<|im_end|>\n<|im_start|>assistant\n");
        var settings = new GenerationSettings { MaxNewTokens = MaxTokens, Temperature = 0.8f, Seed = 1, StopTokenIds = model.StopTokenIds };
        var free = new List<double>();
        var constrained = new List<double>();
        var masks = new List<double>();
        var text = "";
        var steps = 0;
        Measure(model, prompt, settings with { StopTokenIds = [] }, null, out _); // warm-up
        for (var run = 0; run < Runs; run++)
        {
            free.Add(Measure(model, prompt, settings with { StopTokenIds = [] }, null, out _));
            using var constraint = new GrammarConstraint(grammar, model.Trie, model.StopTokenIds);
            constrained.Add(Measure(model, prompt, settings with { Seed = run + 1 }, constraint, out text));
            steps = Math.Max(1, model.Tokenizer.Encode(text).Length);
            masks.Add(100.0 * constraint.MaskCount / steps);
        }

        Report("onnx", free, constrained, $"full masks on {LlamaBench.Range(masks, "F0")}% of steps (~{steps} steps)");

        // Replay the last constrained answer (as the tokenizer spells it; the grammar sees only its bytes): what a
        // step's check and a full mask cost on this vocabulary, at each point of a real answer.
        var tokens = model.Tokenizer.Encode(text);
        using var replay = new GrammarConstraint(grammar, model.Trie, model.StopTokenIds);
        var scores = new float[model.Generator.Model.VocabSize];
        var check = new List<double>();
        var mask = new List<double>();
        foreach (var token in tokens)
        {
            var clock = Stopwatch.GetTimestamp();
            _ = replay.Allows(token);
            check.Add(Stopwatch.GetElapsedTime(clock).TotalMicroseconds);
            clock = Stopwatch.GetTimestamp();
            _ = replay.Mask(scores);
            mask.Add(Stopwatch.GetElapsedTime(clock).TotalMicroseconds);
            replay.Accept(token);
        }

        Console.WriteLine($"constrained (onnx): a step's check {LlamaBench.Median(check):F1} µs median; a full mask {LlamaBench.Median(mask) / 1000:F2} ms median, {mask.Max() / 1000:F2} ms worst ({tokens.Length} steps)");
    }

    public static async Task RunLlamaAsync(string file, int threads)
    {
        using var model = LlamaChatModel.Load(
            new ModelLoadRequest(Path.GetFileNameWithoutExtension(file), file, ModelKind.Chat, "chatml"),
            new LlamaCppEngineOptions { Threads = threads, MaxSequences = 1, ContextLength = 1024, PrefixCache = false },
            NullLogger.Instance);
        var client = new LlamaChatClient(model);
        var free = new ChatOptions { Temperature = 0.8f, Seed = 1, MaxOutputTokens = MaxTokens, AdditionalProperties = new() { [EngineChatOptions.IgnoreEos] = true } };
        var constrained = new ChatOptions { Temperature = 0.8f, MaxOutputTokens = MaxTokens, ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(Schema).RootElement) };
        await MeasureAsync(client, free); // warm-up
        var freeRates = new List<double>();
        var constrainedRates = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            freeRates.Add(await MeasureAsync(client, free));
            var options = constrained.Clone();
            options.Seed = run + 1;
            constrainedRates.Add(await MeasureAsync(client, options));
        }

        Report($"llama.cpp {Path.GetFileName(file)}", freeRates, constrainedRates, "llama.cpp's grammar sampler checks each token; the trie masks");
    }

    private static double Measure(LocalChatModel model, int[] prompt, GenerationSettings settings, GrammarConstraint? constraint, out string text)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;
        var generated = 0;
        var builder = new System.Text.StringBuilder();
        foreach (var chunk in model.Generator.GenerateAsync(prompt, settings, constraint).ToBlockingEnumerable())
        {
            first ??= clock.Elapsed;
            builder.Append(chunk.Text);
            generated = chunk.Finish?.CompletionTokens ?? generated;
        }

        text = builder.ToString();
        return (generated - 1) / (clock.Elapsed - first!.Value).TotalSeconds;
    }

    private static async Task<double> MeasureAsync(IChatClient client, ChatOptions options)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;
        long generated = 0;
        await foreach (var update in client.GetStreamingResponseAsync("Write the notes.", options))
        {
            if (update.Text.Length > 0)
            {
                first ??= clock.Elapsed;
            }

            generated = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details.OutputTokenCount ?? generated;
        }

        return (generated - 1) / (clock.Elapsed - first!.Value).TotalSeconds;
    }

    private static void Report(string engine, List<double> free, List<double> constrained, string note)
    {
        var ratios = free.Zip(constrained, (f, c) => c / f).ToList();
        Console.WriteLine($"constrained ({engine}): decode {LlamaBench.Median(constrained):F1} tokens/s under the schema vs {LlamaBench.Median(free):F1} free; ratio {LlamaBench.Median(ratios):F2} (range {LlamaBench.Range(ratios, "F2")}); {note}");
    }
}
