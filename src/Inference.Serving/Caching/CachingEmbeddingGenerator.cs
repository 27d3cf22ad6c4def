using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace Inference.Serving.Caching;

/// <summary>
/// Caches embeddings per input and model, keeping each input's token count with its vector so that usage stays
/// exact when some or all inputs come from the cache (MEAI's caching generator drops usage). An input's count is
/// known when the provider reports it per embedding (our engine does) or when it was embedded alone.
/// </summary>
internal sealed class CachingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, IDistributedCache cache, string modelId)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? [.. values];
        var embeddings = new Embedding<float>[inputs.Count];
        var tokens = new long?[inputs.Count];
        var keys = new string[inputs.Count];
        List<int> misses = [];
        for (var i = 0; i < inputs.Count; i++)
        {
            keys[i] = Key(inputs[i], options);
            if (await cache.GetAsync(keys[i], cancellationToken) is { } bytes
                && JsonSerializer.Deserialize(bytes, CachedEmbeddingJsonContext.Default.CachedEmbedding) is { } entry)
            {
                embeddings[i] = new Embedding<float>(entry.Vector)
                {
                    ModelId = entry.ModelId,
                    CreatedAt = entry.CreatedAt,
                    AdditionalProperties = entry.Truncated ? new() { [EngineEmbeddingProperties.Truncated] = true } : null,
                };
                tokens[i] = entry.InputTokens;
            }
            else
            {
                misses.Add(i);
            }
        }

        long? generatedTokens = 0;
        if (misses.Count > 0)
        {
            var generated = await base.GenerateAsync([.. misses.Select(i => inputs[i])], options, cancellationToken);
            generatedTokens = generated.Usage?.InputTokenCount;
            for (var j = 0; j < misses.Count; j++)
            {
                var i = misses[j];
                embeddings[i] = generated[j];
                tokens[i] = PerInput(generated, j);
                var entry = new CachedEmbedding(generated[j].Vector.ToArray(), tokens[i], generated[j].ModelId, generated[j].CreatedAt, EngineEmbeddingProperties.IsTruncated(generated[j]));
                await cache.SetAsync(keys[i], JsonSerializer.SerializeToUtf8Bytes(entry, CachedEmbeddingJsonContext.Default.CachedEmbedding), new DistributedCacheEntryOptions(), cancellationToken);
            }
        }

        // Usage: what the provider reported for the inputs it embedded now, plus the cached inputs' own counts.
        var cachedTokens = Enumerable.Range(0, inputs.Count).Except(misses).Aggregate((long?)0, (sum, i) => sum + tokens[i]);
        var total = cachedTokens + generatedTokens;
        return new GeneratedEmbeddings<Embedding<float>>(embeddings)
        {
            Usage = total is long known ? new UsageDetails { InputTokenCount = known, TotalTokenCount = known } : null,
            AdditionalProperties = misses.Count == 0 && inputs.Count > 0 ? CacheHit.Mark(null) : null,
        };
    }

    private static long? PerInput(GeneratedEmbeddings<Embedding<float>> generated, int index) =>
        generated[index].AdditionalProperties?.TryGetValue(EngineEmbeddingProperties.InputTokens, out var value) == true
            ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)
            : generated.Count == 1 ? generated.Usage?.InputTokenCount : null;

    private string Key(string input, EmbeddingGenerationOptions? options)
    {
        // A whole-input request is its own entry: an input embedded from its beginning must not answer one.
        string[] parts = [modelId, options?.Dimensions?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", input];
        var text = JsonSerializer.Serialize(EngineEmbeddingOptions.WholeInputs(options) ? [.. parts, "whole"] : parts, CachedEmbeddingJsonContext.Default.StringArray);
        return "embedding:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
