using System.Text.Json;
using Inference.Engines;
using Inference.Engines.Classification;
using Inference.Onnx.Classification;
using Inference.Onnx.Models;

namespace Inference.Onnx.Tests;

/// <summary>The classification engine reproduces the classifier's reference.json, batched and one by one.</summary>
public sealed class ClassificationTests : IDisposable
{
    private static readonly JsonElement Reference = TestModels.Json(TestModels.DomainClassifier, "reference.json");
    private readonly LocalClassificationModel _model = LocalClassificationModel.Load("domains", TestModels.Folder(TestModels.DomainClassifier), TestModels.Options);

    public void Dispose() => _model.Dispose();

    private static List<JsonElement> Cases => [.. Reference.GetProperty("cases").EnumerateArray()];

    [Fact]
    public void The_folder_is_detected_as_a_classifier_with_its_labels()
    {
        Assert.Equal(ModelKind.Classification, ModelKindDetector.Detect(TestModels.Folder(TestModels.DomainClassifier)));
        Assert.Equal(Reference.GetProperty("labels").EnumerateArray().Select(l => l.GetString()), _model.Labels);
        Assert.Equal(512, _model.Encoder.MaxTokens);
    }

    [Fact]
    public void An_encoder_is_told_by_its_graph_a_classifier_by_its_logits_and_labels_and_another_head_is_an_unrecognised_kind()
    {
        var folder = Directory.CreateTempSubdirectory("classifier-kinds-").FullName;
        try
        {
            // The classifier's graph (logits) with id2label but no architecture: a classifier, by its graph.
            var unnamed = Copy(folder, "unnamed", config => config.Remove("architectures"));
            Assert.Equal(ModelKind.Classification, ModelKindDetector.Detect(unnamed));

            // The same graph as a BERT encoder without labels: neither embeddings nor a classifier.
            var headless = Copy(folder, "headless", config =>
            {
                config.Remove("architectures");
                config.Remove("id2label");
                config.Remove("label2id");
                config["model_type"] = "bert";
            });
            var unknown = Assert.Throws<ModelFolderException>(() => ModelKindDetector.Detect(headless));
            Assert.True(unknown.UnrecognizedKind);
            Assert.Contains("logits", unknown.Problem, StringComparison.Ordinal);

            // The embedding model it was built on stays an embedding model; its graph gives a sentence embedding.
            Assert.Equal(ModelKind.Embedding, ModelKindDetector.Detect(TestModels.Folder(TestModels.M2vEmbedding)));
            Assert.Contains("sentence_embedding", OnnxGraphOutputs.Read(Path.Combine(TestModels.Folder(TestModels.M2vEmbedding), "onnx", "model.onnx")));
            Assert.Equal(["logits"], OnnxGraphOutputs.Read(Path.Combine(TestModels.Folder(TestModels.DomainClassifier), "onnx", "model.onnx")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The classifier's folder under <paramref name="name"/>, its config.json changed by <paramref name="edit"/>.</summary>
    private static string Copy(string root, string name, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var source = TestModels.Folder(TestModels.DomainClassifier);
        var target = Path.Combine(root, name);
        Directory.CreateDirectory(Path.Combine(target, "onnx"));
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        File.Copy(Path.Combine(source, "onnx", "model.onnx"), Path.Combine(target, "onnx", "model.onnx"));
        var config = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(target, "config.json")))!;
        edit(config);
        File.WriteAllText(Path.Combine(target, "config.json"), config.ToJsonString());
        return target;
    }

    [Fact]
    public async Task Reference_ids_logits_probabilities_and_labels_are_reproduced_as_one_padded_batch()
    {
        using var classifier = new OnnxTextClassifier(_model);
        var cases = Cases;
        Assert.Equal(16, cases.Count);
        var response = await classifier.ClassifyAsync([.. cases.Select(c => c.GetProperty("text").GetString()!)]);
        Assert.Equal(cases.Count, response.Classifications.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            AssertCase(cases[i], response.Classifications[i]);
        }

        Assert.Equal(cases.Sum(c => c.GetProperty("ids").GetArrayLength()), response.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Reference_cases_are_reproduced_one_by_one()
    {
        using var classifier = new OnnxTextClassifier(_model);
        foreach (var reference in Cases)
        {
            var response = await classifier.ClassifyAsync([reference.GetProperty("text").GetString()!]);
            AssertCase(reference, Assert.Single(response.Classifications));
        }
    }

    [Fact]
    public async Task An_input_longer_than_the_model_reads_is_refused_not_truncated()
    {
        using var classifier = new OnnxTextClassifier(_model);
        var error = await Assert.ThrowsAsync<ContextWindowExceededException>(() => classifier.ClassifyAsync([string.Join(' ', Enumerable.Repeat("cat", 600))]));
        Assert.Equal(512, error.ContextLength);
        Assert.Equal(602, error.RequestedTokens);
    }

    private void AssertCase(JsonElement reference, TextClassification actual)
    {
        var text = reference.GetProperty("text").GetString()!;
        var ids = reference.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(ids, _model.Encoder.Tokenizer.EncodeToIds(text, addSpecialTokens: true));
        Assert.Equal(ids.Length, actual.InputTokens);
        var logits = reference.GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var probabilities = reference.GetProperty("probabilities").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        for (var j = 0; j < logits.Length; j++)
        {
            Assert.InRange(actual.Logits[j], logits[j] - 1e-4f, logits[j] + 1e-4f);
            // The reference rounds probabilities to 6 places.
            Assert.InRange(actual.Probabilities[j], probabilities[j] - 2e-6f, probabilities[j] + 2e-6f);
        }

        Assert.Equal(reference.GetProperty("label").GetString(), actual.Label);
        Assert.Equal(1f, actual.Probabilities.Sum(), 1e-5f);
    }
}
