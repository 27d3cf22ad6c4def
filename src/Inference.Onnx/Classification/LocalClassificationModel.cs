using Inference.Onnx.Embeddings;
using Inference.Onnx.Models;

namespace Inference.Onnx.Classification;

/// <summary>
/// A loaded sequence classifier (Hugging Face <c>*ForSequenceClassification</c>): an encoder graph whose output is
/// <c>logits</c> [batch, labels], run in padded batches as the embedding models are, with its labels from
/// <c>id2label</c>. It reads single texts or pairs; with one label it is a cross-encoder (a pair's relevance).
/// </summary>
public sealed class LocalClassificationModel : IDisposable
{
    private LocalClassificationModel(LocalEmbeddingModel encoder, IReadOnlyList<string> labels)
    {
        Encoder = encoder;
        Labels = labels;
    }

    public string Id => Encoder.Id;

    public string Folder => Encoder.Folder;

    public IReadOnlyList<string> Labels { get; }

    /// <summary>The graph, tokenizer, queue and batcher: those of an encoder whose rows are the logits.</summary>
    public LocalEmbeddingModel Encoder { get; }

    public static LocalClassificationModel Load(string id, string folder, OnnxEngineOptions options)
    {
        var labels = ModelConfig.Load(folder).Labels
            ?? throw new ModelFolderException(folder, "a classifier needs id2label in config.json, the labels by index 0..n-1");
        var encoder = LocalEmbeddingModel.Load(id, folder, options, graphOutput: "logits");
        if (encoder.Dimensions != labels.Count)
        {
            encoder.Dispose();
            throw new ModelFolderException(folder, $"the graph's logits have {encoder.Dimensions} columns and id2label names {labels.Count} labels");
        }

        encoder.ReadsPairs = true;
        return new LocalClassificationModel(encoder, labels);
    }

    public void Dispose() => Encoder.Dispose();
}
