using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Inference.Onnx.Embeddings;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a local ONNX encoder: WordPiece with truncation, the
/// inputs of a request run in padded batches, pooling under the attention mask, L2 normalisation.
/// </summary>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LocalEmbeddingModel _model;
    private readonly bool _ownsModel;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public OnnxEmbeddingGenerator(LocalEmbeddingModel model, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _ownsModel = ownsModel;
        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", new Uri(Path.GetFullPath(model.Folder)), model.Id, model.Dimensions);
    }

    public LocalEmbeddingModel Model => _model;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.ToList();
        if (options?.Dimensions is int dims && dims != _model.Dimensions)
        {
            throw new NotSupportedException($"Model '{_model.Id}' produces {_model.Dimensions} dimensions and cannot shorten them to {dims}.");
        }

        var tokenized = inputs.Select(Tokenize).ToList();
        using var lease = await _model.Queue.EnterAsync(cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        var result = new List<Embedding<float>>(inputs.Count);
        for (var start = 0; start < tokenized.Count; start += _model.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = tokenized.GetRange(start, Math.Min(_model.BatchSize, tokenized.Count - start));
            foreach (var vector in RunBatch(batch))
            {
                result.Add(new Embedding<float>(vector)
                {
                    ModelId = _model.Id,
                    CreatedAt = created,
                    AdditionalProperties = new() { [EngineEmbeddingProperties.InputTokens] = tokenized[result.Count].Length },
                });
            }
        }

        return new GeneratedEmbeddings<Embedding<float>>(result)
        {
            Usage = new UsageDetails { InputTokenCount = tokenized.Sum(t => t.Length), TotalTokenCount = tokenized.Sum(t => t.Length) },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType == typeof(LocalEmbeddingModel) ? _model
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }

    /// <summary>[CLS] text [SEP], the text truncated so the whole fits the model, as the reference tokenizers do.</summary>
    private long[] Tokenize(string text)
    {
        var tokenizer = _model.Tokenizer;
        var ids = tokenizer.EncodeToIds(text, addSpecialTokens: false);
        var kept = Math.Min(ids.Count, _model.MaxTokens - 2);
        var result = new long[kept + 2];
        result[0] = tokenizer.ClassificationTokenId;
        for (var i = 0; i < kept; i++)
        {
            result[i + 1] = ids[i];
        }

        result[^1] = tokenizer.SeparatorTokenId;
        return result;
    }

    private List<float[]> RunBatch(List<long[]> batch)
    {
        var rows = batch.Count;
        var width = batch.Max(t => t.Length);
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        Array.Fill(ids, _model.Tokenizer.PaddingTokenId);
        for (var r = 0; r < rows; r++)
        {
            batch[r].CopyTo(ids, r * width);
            mask.AsSpan(r * width, batch[r].Length).Fill(1);
        }

        long[] shape = [rows, width];
        var names = new List<string> { "input_ids", "attention_mask" };
        var values = new List<OrtValue> { Ids(ids, shape), Ids(mask, shape) };
        if (_model.HasTokenTypes)
        {
            names.Add("token_type_ids");
            values.Add(Ids(new long[rows * width], shape));
        }

        try
        {
            using var outputs = _model.Session.Run(_model.RunOptions, names, values, [_model.OutputName]);
            var data = outputs[0].GetTensorDataAsSpan<float>();
            var dims = _model.Dimensions;
            var vectors = new List<float[]>(rows);
            for (var r = 0; r < rows; r++)
            {
                var vector = new float[dims];
                switch (_model.Pooling)
                {
                    case PoolingMode.Graph:
                        data.Slice(r * dims, dims).CopyTo(vector);
                        break;
                    case PoolingMode.Cls:
                        data.Slice(r * width * dims, dims).CopyTo(vector);
                        break;
                    default:
                        var length = batch[r].Length;
                        for (var t = 0; t < length; t++)
                        {
                            TensorPrimitives.Add(vector, data.Slice(((r * width) + t) * dims, dims), vector);
                        }

                        TensorPrimitives.Divide(vector, length, vector);
                        break;
                }

                if (_model.Normalize)
                {
                    var norm = TensorPrimitives.Norm<float>(vector);
                    if (norm > 0)
                    {
                        TensorPrimitives.Divide(vector, norm, vector);
                    }
                }

                vectors.Add(vector);
            }

            return vectors;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private OrtValue Ids(long[] data, long[] shape) => _model.IdsType == TensorElementType.Int32
        ? OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(data, v => (int)v), shape)
        : OrtValue.CreateTensorValueFromMemory(data, shape);
}
