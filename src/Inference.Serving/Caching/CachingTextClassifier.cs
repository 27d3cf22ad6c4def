using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Inference.Engines.Classification;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace Inference.Serving.Caching;

/// <summary>
/// Caches classifications per input and model (a classifier is deterministic), each with its logits and token count,
/// so that a call whose inputs are partly cached runs only the others and still reports exact usage.
/// </summary>
internal sealed class CachingTextClassifier(ITextClassifier inner, IDistributedCache cache, string modelId) : DelegatingTextClassifier(inner)
{
    public override async Task<TextClassificationResponse> ClassifyAsync(
        IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var results = new TextClassification[inputs.Count];
        var keys = new string[inputs.Count];
        List<int> misses = [];
        for (var i = 0; i < inputs.Count; i++)
        {
            keys[i] = Key(inputs[i], options);
            if (await cache.GetAsync(keys[i], cancellationToken) is { } bytes
                && JsonSerializer.Deserialize(bytes, CachedClassificationJsonContext.Default.CachedClassification) is { } entry
                && entry.Labels.Length == entry.Logits.Length)
            {
                results[i] = new TextClassification(entry.Labels, entry.Logits, entry.InputTokens) { Truncated = entry.Truncated };
            }
            else
            {
                misses.Add(i);
            }
        }

        string? model = modelId;
        if (misses.Count > 0)
        {
            var classified = await base.ClassifyAsync([.. misses.Select(i => inputs[i])], options, cancellationToken);
            model = classified.ModelId ?? modelId;
            for (var j = 0; j < misses.Count; j++)
            {
                var i = misses[j];
                var result = results[i] = classified.Classifications[j];
                var entry = new CachedClassification([.. result.Labels], result.Logits, result.InputTokens, result.Truncated);
                await cache.SetAsync(keys[i], JsonSerializer.SerializeToUtf8Bytes(entry, CachedClassificationJsonContext.Default.CachedClassification), new DistributedCacheEntryOptions(), cancellationToken);
            }
        }

        long tokens = results.Sum(r => (long)r.InputTokens);
        return new TextClassificationResponse(results)
        {
            ModelId = model,
            CreatedAt = DateTimeOffset.UtcNow,
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
            AdditionalProperties = misses.Count == 0 && inputs.Count > 0 ? CacheHit.Mark(null) : null,
        };
    }

    /// <summary>The model, the input, and what it was read with (a cross-encoder's query, whether it may be cut).</summary>
    private string Key(string input, TextClassificationOptions? options)
    {
        string[] parts = options?.PairWith is { } pair ? [modelId, input, pair, options.Truncate ? "cut" : "whole"] : [modelId, input];
        var text = JsonSerializer.Serialize(parts, CachedClassificationJsonContext.Default.StringArray);
        return "classification:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>One input's cache entry: the labels, the logits (probabilities follow from them) and the tokens it took.</summary>
internal sealed record CachedClassification(string[] Labels, float[] Logits, int InputTokens, bool Truncated = false);

[JsonSerializable(typeof(CachedClassification))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class CachedClassificationJsonContext : JsonSerializerContext;
