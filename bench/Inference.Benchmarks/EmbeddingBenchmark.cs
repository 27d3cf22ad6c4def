using System.Diagnostics;
using Inference.Onnx;
using Inference.Onnx.Embeddings;

namespace Inference.Benchmarks;

/// <summary>Sentences per second at batch 1 and 32, sentences of 32 tokens as in the reference measurement.</summary>
internal static class EmbeddingBenchmark
{
    public static void Run(string folder, OnnxEngineOptions options)
    {
        using var model = LocalEmbeddingModel.Load(Path.GetFileName(folder), folder, options);
        using var generator = new OnnxEmbeddingGenerator(model);
        Console.WriteLine($"embedding model: {folder} ({model.Dimensions} dimensions)");

        // 30 word pieces + [CLS] + [SEP] = 32 tokens.
        var sentence = string.Join(' ', Enumerable.Repeat("music", 30));
        var sentences = Enumerable.Repeat(sentence, 256).ToList();
        foreach (var batch in new[] { 1, 32 })
        {
            generator.GenerateAsync(sentences.Take(batch)).GetAwaiter().GetResult();
            var clock = Stopwatch.StartNew();
            var done = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                var result = generator.GenerateAsync(sentences.Take(batch)).GetAwaiter().GetResult();
                if (result.Usage?.InputTokenCount != 32 * batch)
                {
                    throw new InvalidOperationException($"Expected 32 tokens a sentence, got {result.Usage?.InputTokenCount / batch}.");
                }

                done += batch;
            }

            Console.WriteLine($"embeddings, batch {batch}: {done / clock.Elapsed.TotalSeconds:F0} sentences/s");
        }
    }
}
