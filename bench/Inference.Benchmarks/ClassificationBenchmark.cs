using System.Diagnostics;
using Inference.Onnx;
using Inference.Onnx.Classification;
using Inference.Onnx.Embeddings;

namespace Inference.Benchmarks;

/// <summary>
/// The classifier against the embedding model it was built on (the same encoder graph, plus a 64×8 head): texts per
/// second at batch 1 and 32 (32-token texts), alternating rounds so the machine's noise falls on both alike.
/// </summary>
internal static class ClassificationBenchmark
{
    public static void Run(string classifierFolder, string embeddingFolder, OnnxEngineOptions options)
    {
        using var classifierModel = LocalClassificationModel.Load("classifier", classifierFolder, options);
        using var classifier = new OnnxTextClassifier(classifierModel);
        using var embeddingModel = LocalEmbeddingModel.Load("embedding", embeddingFolder, options);
        using var embeddings = new OnnxEmbeddingGenerator(embeddingModel);
        Console.WriteLine($"classifier: {classifierFolder} ({classifierModel.Labels.Count} labels), against {embeddingFolder}");

        var text = string.Join(' ', Enumerable.Repeat("music", 30));
        foreach (var batch in new[] { 1, 32 })
        {
            var texts = Enumerable.Repeat(text, batch).ToList();
            for (var round = 1; round <= 3; round++)
            {
                var classified = Rate(() => classifier.ClassifyAsync(texts).GetAwaiter().GetResult().Classifications.Count);
                var embedded = Rate(() => embeddings.GenerateAsync(texts).GetAwaiter().GetResult().Count);
                Console.WriteLine($"batch {batch}, round {round}: classify {classified:F0} texts/s, embed {embedded:F0} texts/s (ratio {classified / embedded:F2})");
            }
        }
    }

    private static double Rate(Func<int> run)
    {
        run();
        var clock = Stopwatch.StartNew();
        var done = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            done += run();
        }

        return done / clock.Elapsed.TotalSeconds;
    }
}
