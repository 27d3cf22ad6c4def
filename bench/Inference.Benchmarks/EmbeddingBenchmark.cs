using System.Diagnostics;
using Inference.Onnx;
using Inference.Onnx.Embeddings;

namespace Inference.Benchmarks;

/// <summary>
/// Sentences per second at batch 1 and 32 (sentences of 32 tokens as in the reference measurement), then 1, 8 and 32
/// concurrent clients of one sentence each, with one ONNX run per request and batched across requests.
/// </summary>
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

        // Concurrent clients of one sentence each: every request its own run, then batched across requests.
        foreach (var (label, batchSize) in new[] { ("one run per request", 1), ("batched across requests", options.EmbeddingBatchSize) })
        {
            using var served = LocalEmbeddingModel.Load(Path.GetFileName(folder), folder, new OnnxEngineOptions
            {
                IntraOpThreads = options.IntraOpThreads,
                EmbeddingBatchSize = batchSize,
                EmbeddingBatchTimeout = options.EmbeddingBatchTimeout,
                MaxQueuedRequests = 1024,
            });
            using var clients = new OnnxEmbeddingGenerator(served);

            // The reference's 32-token sentences, and short ones (6 word pieces + [CLS] + [SEP]) as chat-sized queries are.
            foreach (var (tokens, text) in new[] { (32, sentence), (8, string.Join(' ', Enumerable.Repeat("music", 6))) })
            {
                foreach (var concurrency in new[] { 1, 8, 32 })
                {
                    var (rate, meanBatch) = Concurrent(clients, served, text, concurrency, TimeSpan.FromSeconds(3));
                    Console.WriteLine($"embeddings, {tokens}-token sentences, {concurrency} clients, {label}: {rate:F0} sentences/s (mean batch {meanBatch:F1})");
                }
            }
        }
    }

    private static (double Rate, double MeanBatch) Concurrent(OnnxEmbeddingGenerator generator, LocalEmbeddingModel model, string sentence, int clients, TimeSpan duration)
    {
        generator.GenerateAsync([sentence]).GetAwaiter().GetResult();
        var (batches, inputs) = (model.Batches, model.BatchedInputs);
        var clock = Stopwatch.StartNew();
        var done = 0;
        var tasks = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                await generator.GenerateAsync([sentence]);
                Interlocked.Increment(ref done);
            }
        })).ToArray();
        Task.WaitAll(tasks);
        return (done / clock.Elapsed.TotalSeconds, (double)(model.BatchedInputs - inputs) / Math.Max(1, model.Batches - batches));
    }
}
