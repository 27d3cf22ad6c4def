using Inference.Onnx.Chat;
using Inference.Onnx.Classification;
using Inference.Onnx.Embeddings;
using Inference.Onnx.Models;
using Microsoft.Extensions.Options;

namespace Inference.Onnx;

/// <summary>
/// Optimum / transformers.js ONNX folders (<c>onnx/model*.onnx</c> with config and tokenizer files): decoders as
/// chat models, encoders as embedding models, sequence classifiers (<c>logits</c> and <c>id2label</c>) as classifiers.
/// </summary>
public sealed class OnnxModelFormat(IOptions<OnnxEngineOptions> options) : IModelFormat
{
    public string Name => "onnx";

    public string Expects => "ONNX weights (onnx/model*.onnx)";

    public bool Claims(string path) => Directory.Exists(path) && ModelKindDetector.HasWeights(path);

    public ModelKind DetectKind(string path) => ModelKindDetector.Detect(path);

    public LoadedModel Load(ModelLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Kind switch
        {
            ModelKind.Chat => LoadChat(request),
            ModelKind.Classification => LoadClassifier(request),
            _ => LoadEmbedding(request),
        };
    }

    private LoadedModel LoadChat(ModelLoadRequest request)
    {
        var model = LocalChatModel.Load(request.Id, request.Path, options.Value, request.ChatTemplate);
        return new LoadedModel
        {
            Kind = ModelKind.Chat,
            Format = Name,
            Source = model.OnnxPath,
            ChatClient = new OnnxChatClient(model),
            Architecture = model.Config.ModelType,
            ContextLength = model.ContextLength,
            ParameterCount = model.Weights.ParameterCount,
            Quantization = model.Weights.Quantization,
            ChatTemplate = model.Template?.Name,
            Status = model.Queue,
            QueueDepth = () => model.Queue.Depth,
            RequestCount = () => model.Queue.Admitted,
            Owner = model,
        };
    }

    private LoadedModel LoadEmbedding(ModelLoadRequest request)
    {
        var model = LocalEmbeddingModel.Load(request.Id, request.Path, options.Value);
        return new LoadedModel
        {
            Kind = ModelKind.Embedding,
            Format = Name,
            Source = model.OnnxPath,
            EmbeddingGenerator = new OnnxEmbeddingGenerator(model),
            ContextLength = model.MaxTokens,
            Dimensions = model.Dimensions,
            ParameterCount = model.Weights.ParameterCount,
            Quantization = model.Weights.Quantization,
            Status = model.Queue,
            QueueDepth = () => model.Queue.Depth,
            RequestCount = () => model.Queue.Admitted,
            Owner = model,
        };
    }

    private LoadedModel LoadClassifier(ModelLoadRequest request)
    {
        var model = LocalClassificationModel.Load(request.Id, request.Path, options.Value);
        return new LoadedModel
        {
            Kind = ModelKind.Classification,
            Format = Name,
            Source = model.Encoder.OnnxPath,
            Classifier = new OnnxTextClassifier(model),
            Labels = model.Labels,
            ContextLength = model.Encoder.MaxTokens,
            ParameterCount = model.Encoder.Weights.ParameterCount,
            Quantization = model.Encoder.Weights.Quantization,
            Status = model.Encoder.Queue,
            QueueDepth = () => model.Encoder.Queue.Depth,
            RequestCount = () => model.Encoder.Queue.Admitted,
            Owner = model,
        };
    }
}
