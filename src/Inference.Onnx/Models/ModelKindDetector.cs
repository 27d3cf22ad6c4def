namespace Inference.Onnx.Models;

/// <summary>
/// Tells a decoder (chat) from an encoder (embeddings) and a sequence classifier by the configuration and, for an
/// encoder, by its graph's outputs (read without loading it): embeddings come from <c>last_hidden_state</c>,
/// <c>token_embeddings</c> or <c>sentence_embedding</c>, a classifier's <c>logits</c> with <c>id2label</c>. Any other
/// head (token classification, question answering, masked or sequence-to-sequence language modelling) is a kind this
/// engine does not serve.
/// </summary>
public static class ModelKindDetector
{
    private static readonly string[] EncoderTypes = ["bert", "roberta", "xlm-roberta", "distilbert", "mpnet", "nomic_bert", "new", "model2vec", "electra", "deberta-v2"];

    /// <summary>True when the folder holds an ONNX model at all (tokenizer-only folders do not).</summary>
    public static bool HasWeights(string folder) => ModelPrecision.OnnxFiles(folder).Count > 0;

    public static ModelKind Detect(string folder)
    {
        if (File.Exists(Path.Combine(folder, "genai_config.json")))
        {
            return ModelKind.Chat;
        }

        var config = ModelConfig.Load(folder);
        if (config.Architectures.Any(a => a.EndsWith("ForCausalLM", StringComparison.Ordinal) || a.EndsWith("LMHeadModel", StringComparison.Ordinal)))
        {
            return ModelKind.Chat;
        }

        if (config.Architectures.Any(a => a.EndsWith("ForSequenceClassification", StringComparison.Ordinal)))
        {
            return config.Labels is { Count: > 0 }
                ? ModelKind.Classification
                : throw new ModelFolderException(folder, "a sequence classifier needs id2label in config.json, the labels by index 0..n-1");
        }

        if (config.Architectures.FirstOrDefault(a => a.Contains("For", StringComparison.Ordinal)) is { } head)
        {
            throw new ModelFolderException(folder, $"a {head} is a kind of model this engine does not serve (it serves causal language models, encoders and sequence classifiers)")
            {
                UnrecognizedKind = true,
            };
        }

        var outputs = ModelPrecision.OnnxFiles(folder) is [var onnx, ..] ? OnnxGraphOutputs.Read(onnx) : [];
        var classifies = outputs.Contains("logits") && config.Labels is { Count: > 0 };
        if (EncoderTypes.Contains(config.ModelType, StringComparer.OrdinalIgnoreCase)
            || config.Architectures.Any(a => a is "StaticModel" || a.EndsWith("Model", StringComparison.Ordinal)))
        {
            return outputs.Any(o => o is "last_hidden_state" or "token_embeddings" or "sentence_embedding") ? ModelKind.Embedding
                : classifies ? ModelKind.Classification
                : throw new ModelFolderException(folder, $"an encoder whose graph gives {string.Join(", ", outputs)}: neither embeddings (last_hidden_state, token_embeddings, sentence_embedding) nor a classifier's logits with id2label")
                {
                    UnrecognizedKind = true,
                };
        }

        if (classifies)
        {
            return ModelKind.Classification;
        }

        throw new ModelFolderException(folder, $"cannot tell whether this is a chat, an embedding or a classification model (model_type '{config.ModelType}'); configure its Kind")
        {
            UnrecognizedKind = true,
        };
    }
}
