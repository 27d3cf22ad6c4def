using Inference.Engines.Classification;
using Inference.Onnx.Embeddings;
using Microsoft.Extensions.AI;

namespace Inference.Onnx.Classification;

/// <summary>
/// <see cref="ITextClassifier"/> over a local ONNX sequence classifier: WordPiece ([CLS] text [SEP], or a pair with
/// <see cref="TextClassificationOptions.PairWith"/>: [CLS] pair [SEP] text [SEP]), the inputs of
/// concurrent requests run together in padded batches, softmax over each row's logits. An input longer than the model
/// reads is refused, not truncated: a label for part of a text would be a wrong answer given as a right one.
/// </summary>
public sealed class OnnxTextClassifier : ITextClassifier
{
    private readonly LocalClassificationModel _model;
    private readonly TextClassifierMetadata _metadata;

    public OnnxTextClassifier(LocalClassificationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _metadata = new TextClassifierMetadata("onnxruntime", new Uri(Path.GetFullPath(model.Folder)), model.Id, model.Labels, model.Encoder.MaxTokens);
    }

    public async Task<TextClassificationResponse> ClassifyAsync(
        IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var tokenized = new long[inputs.Count][];
        var truncated = new bool[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            tokenized[i] = options?.PairWith is { } pair
                ? _model.Encoder.EncodePair(pair, inputs[i], options.Truncate, out truncated[i])
                : _model.Encoder.Encode(inputs[i], truncate: false);
        }

        var logits = await _model.Encoder.Batcher.EmbedAsync(tokenized, cancellationToken).ConfigureAwait(false);
        var results = new TextClassification[logits.Length];
        long tokens = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            results[i] = new TextClassification(_model.Labels, logits[i], tokenized[i].Length) { Truncated = truncated[i] };
            tokens += tokenized[i].Length;
        }

        return new TextClassificationResponse(results)
        {
            ModelId = _model.Id,
            CreatedAt = DateTimeOffset.UtcNow,
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(TextClassifierMetadata) ? _metadata
            : serviceType == typeof(LocalClassificationModel) ? _model
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The model belongs to whoever loaded it (LoadedModel.Owner).
    }
}
