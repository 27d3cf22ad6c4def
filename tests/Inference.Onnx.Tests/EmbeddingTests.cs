using System.Numerics.Tensors;
using System.Text.Json;
using Inference.Engines;
using Inference.Onnx.Embeddings;
using Microsoft.Extensions.AI;

namespace Inference.Onnx.Tests;

/// <summary>The embedding engine reproduces reference.json and behaves as an embedding service should.</summary>
public sealed class EmbeddingTests : IDisposable
{
    private static readonly JsonElement Reference = TestModels.Json(TestModels.M2vEmbedding, "reference.json");
    private readonly LocalEmbeddingModel _model = LocalEmbeddingModel.Load(TestModels.M2vEmbedding, TestModels.Folder(TestModels.M2vEmbedding), TestModels.Options);

    [Fact]
    public void Model_reports_its_shape()
    {
        Assert.Equal(64, _model.Dimensions);
        Assert.Equal(512, _model.MaxTokens);
        Assert.Equal(PoolingMode.Mean, _model.Pooling);
    }

    [Fact]
    public async Task Reference_token_ids_and_embeddings_are_reproduced()
    {
        using var generator = new OnnxEmbeddingGenerator(_model);
        var sentences = Reference.GetProperty("sentences").EnumerateArray().ToList();
        var embeddings = await generator.GenerateAsync(sentences.Select(s => s.GetProperty("text").GetString()!));
        for (var i = 0; i < sentences.Count; i++)
        {
            var expectedIds = sentences[i].GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var ids = _model.Tokenizer.EncodeToIds(sentences[i].GetProperty("text").GetString()!, addSpecialTokens: true);
            Assert.Equal(expectedIds, ids);
            var expected = sentences[i].GetProperty("embedding_first8").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            for (var d = 0; d < expected.Length; d++)
            {
                Assert.InRange(embeddings[i].Vector.Span[d], expected[d] - 1e-4f, expected[d] + 1e-4f);
            }
        }

        Assert.Equal(sentences.Sum(s => s.GetProperty("input_ids").GetArrayLength()), embeddings.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Pair_similarities_match_and_paraphrases_score_clearly_above_unrelated_pairs()
    {
        using var generator = new OnnxEmbeddingGenerator(_model);
        var paraphrase = new List<float>();
        var unrelated = new List<float>();
        foreach (var pair in Reference.GetProperty("pairs").EnumerateArray())
        {
            var e = await generator.GenerateAsync([pair.GetProperty("a").GetString()!, pair.GetProperty("b").GetString()!]);
            var cosine = TensorPrimitives.CosineSimilarity(e[0].Vector.Span, e[1].Vector.Span);
            Assert.InRange(cosine, pair.GetProperty("cosine").GetSingle() - 1e-4f, pair.GetProperty("cosine").GetSingle() + 1e-4f);
            (pair.GetProperty("kind").GetString() == "paraphrase" ? paraphrase : unrelated).Add(cosine);
        }

        Assert.True(paraphrase.Min() > unrelated.Max() + 0.15f, $"paraphrase min {paraphrase.Min()} vs unrelated max {unrelated.Max()}");
    }

    [Fact]
    public async Task Vectors_are_unit_length_and_identical_alone_or_in_a_batch()
    {
        using var generator = new OnnxEmbeddingGenerator(_model);
        string[] texts = ["A man is playing a guitar.", "short", "The quick brown fox jumps over the lazy dog near the river bank."];
        var batch = await generator.GenerateAsync(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = await generator.GenerateAsync([texts[i]]);
            Assert.Equal(alone[0].Vector.ToArray(), batch[i].Vector.ToArray());
            Assert.InRange(TensorPrimitives.Norm(batch[i].Vector.Span), 0.9999f, 1.0001f);
        }
    }

    [Fact]
    public async Task Long_inputs_are_truncated_to_the_model_length()
    {
        using var generator = new OnnxEmbeddingGenerator(_model);
        var longText = string.Join(' ', Enumerable.Repeat("guitar", 2000));
        var result = await generator.GenerateAsync([longText]);
        Assert.Equal(512, result.Usage?.InputTokenCount);
        Assert.Equal(64, result[0].Vector.Length);
    }

    [Fact]
    public async Task Batches_larger_than_the_batch_size_keep_their_order()
    {
        using var generator = new OnnxEmbeddingGenerator(_model);
        var texts = Enumerable.Range(0, 70).Select(i => $"sentence number {i} about music").ToList();
        var all = await generator.GenerateAsync(texts);
        Assert.Equal(70, all.Count);
        var last = await generator.GenerateAsync([texts[69]]);
        Assert.Equal(last[0].Vector.ToArray(), all[69].Vector.ToArray());
    }

    [Fact]
    public async Task Concurrent_requests_share_onnx_runs_and_get_exactly_the_vectors_they_get_alone()
    {
        using var model = LocalEmbeddingModel.Load(TestModels.M2vEmbedding, TestModels.Folder(TestModels.M2vEmbedding),
            new OnnxEngineOptions { IntraOpThreads = 1, EmbeddingBatchTimeout = TimeSpan.FromMilliseconds(50) });
        using var generator = new OnnxEmbeddingGenerator(model);
        var texts = Enumerable.Range(0, 32).Select(i => string.Join(' ', Enumerable.Repeat($"word{i} music", 1 + (i % 7)))).ToList();
        var alone = new List<float[]>();
        foreach (var text in texts)
        {
            alone.Add((await generator.GenerateAsync([text]))[0].Vector.ToArray());
        }

        Assert.Equal(32, model.Batches);
        var together = await Task.WhenAll(texts.Select(text => generator.GenerateAsync([text])));
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(alone[i], together[i][0].Vector.ToArray());
            Assert.Equal(together[i][0].AdditionalProperties![EngineEmbeddingProperties.InputTokens], (await generator.GenerateAsync([texts[i]]))[0].AdditionalProperties![EngineEmbeddingProperties.InputTokens]);
        }

        // 32 requests at once: a few runs (the batch holds 32 inputs; one window collects what arrives), not 32.
        Assert.InRange(model.Batches - 32 - 32, 1, 8);
        Assert.Equal(0, model.Queue.Depth);
    }

    [Fact]
    public async Task Other_dimensions_are_refused()
    {
        using var generator = new OnnxEmbeddingGenerator(_model);
        await Assert.ThrowsAsync<NotSupportedException>(() => generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 32 }));
    }

    [Fact]
    public async Task Cls_pooling_from_the_config_takes_the_first_token()
    {
        // A copy of the model whose config asks for CLS pooling: m2v gives [CLS] a zero vector, mean pooling does not.
        var source = TestModels.Folder(TestModels.M2vEmbedding);
        var folder = Directory.CreateTempSubdirectory("cls-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "onnx"));
            foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json", Path.Combine("onnx", "model.onnx") })
            {
                File.Copy(Path.Combine(source, file), Path.Combine(folder, file));
            }

            File.WriteAllText(Path.Combine(folder, "config.json"), File.ReadAllText(Path.Combine(source, "config.json")).Replace("\"pooling\": \"mean\"", "\"pooling\": \"cls\"", StringComparison.Ordinal));
            using var cls = LocalEmbeddingModel.Load("cls", folder, TestModels.Options);
            Assert.Equal(PoolingMode.Cls, cls.Pooling);
            using var generator = new OnnxEmbeddingGenerator(cls);
            var vector = (await generator.GenerateAsync(["A man is playing a guitar."]))[0].Vector.ToArray();
            Assert.All(vector, v => Assert.Equal(0f, v));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public void Dispose() => _model.Dispose();
}
