using Microsoft.Extensions.AI;

namespace Inference.Onnx.Embeddings;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a local ONNX encoder: WordPiece with truncation, the
/// inputs of concurrent requests run together in padded batches (<see cref="EmbeddingBatcher"/>), pooling under the
/// attention mask, L2 normalisation.
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

        var truncate = !EngineEmbeddingOptions.WholeInputs(options);
        var cut = new bool[inputs.Count];
        var tokenized = inputs.Select((text, i) => _model.Encode(text, truncate, out cut[i])).ToList();
        var vectors = await _model.Batcher.EmbedAsync(tokenized, cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        var result = new List<Embedding<float>>(inputs.Count);
        for (var i = 0; i < vectors.Length; i++)
        {
            result.Add(new Embedding<float>(vectors[i])
            {
                ModelId = _model.Id,
                CreatedAt = created,
                AdditionalProperties = cut[i]
                    ? new() { [EngineEmbeddingProperties.InputTokens] = tokenized[i].Length, [EngineEmbeddingProperties.Truncated] = true }
                    : new() { [EngineEmbeddingProperties.InputTokens] = tokenized[i].Length },
            });
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
}
