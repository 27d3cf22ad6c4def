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

    public long WeightBytes(string path) => WeightFiles.Bytes(path, ".onnx");

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
            Description = new ModelDescription
            {
                Format = Name,
                Source = model.OnnxPath,
                Architecture = model.Config.ModelType,
                ContextLength = model.ContextLength,
                ParameterCount = model.Weights.ParameterCount,
                Quantization = model.Weights.Quantization,
                ChatTemplate = model.Format?.Name,
                ChatTemplateText = model.Format?.Template,
                ToolCallSyntax = model.Format?.ToolCalls.Name,
                Reasoning = model.Format?.Reasoning?.Name,
            },
            WeightBytes = WeightBytes(model.OnnxPath),
            ChatClient = new OnnxChatClient(model),
            Status = model.Queue,
            QueueDepth = () => model.Queue.Depth,
            RequestCount = () => model.Queue.Admitted,
            Owner = model,
        };
    }

    private LoadedModel LoadEmbedding(ModelLoadRequest request)
    {
        var model = LocalEmbeddingModel.Load(request.Id, request.Path, options.Value);
        return Encoder(model, ModelKind.Embedding, model) with
        {
            Description = EncoderDescription(model) with { Dimensions = model.Dimensions },
            EmbeddingGenerator = new OnnxEmbeddingGenerator(model),
        };
    }

    private LoadedModel LoadClassifier(ModelLoadRequest request)
    {
        var model = LocalClassificationModel.Load(request.Id, request.Path, options.Value);
        return Encoder(model.Encoder, ModelKind.Classification, model) with
        {
            Description = EncoderDescription(model.Encoder) with { Labels = model.Labels },
            Classifier = new OnnxTextClassifier(model),
        };
    }

    /// <summary>An encoder's load (embeddings, classifiers): its queue, its weights and what its files say.</summary>
    private LoadedModel Encoder(LocalEmbeddingModel encoder, ModelKind kind, IDisposable owner) => new()
    {
        Kind = kind,
        Description = EncoderDescription(encoder),
        WeightBytes = WeightBytes(encoder.OnnxPath),
        Status = encoder.Queue,
        QueueDepth = () => encoder.Queue.Depth,
        RequestCount = () => encoder.Queue.Admitted,
        Owner = owner,
    };

    private ModelDescription EncoderDescription(LocalEmbeddingModel encoder) => new()
    {
        Format = Name,
        Source = encoder.OnnxPath,
        ContextLength = encoder.MaxTokens,
        ParameterCount = encoder.Weights.ParameterCount,
        Quantization = encoder.Weights.Quantization,
    };
}
