namespace Inference.Onnx.Models;

/// <summary>Tells a decoder from an encoder by its configuration, without loading the graph.</summary>
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

        if (EncoderTypes.Contains(config.ModelType, StringComparer.OrdinalIgnoreCase)
            || config.Architectures.Any(a => a is "StaticModel" || a.EndsWith("Model", StringComparison.Ordinal)))
        {
            return ModelKind.Embedding;
        }

        throw new ModelFolderException(folder, $"cannot tell whether this is a chat or an embedding model (model_type '{config.ModelType}'); configure its Kind");
    }
}
