using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace Inference.Serving.Caching;

/// <summary>
/// MEAI's distributed caching, limited to requests whose answer cannot vary: temperature 0 or a fixed seed.
/// The model id is part of the key, so models never share entries; so are the tools (which MEAI's key leaves out),
/// so requests with different tools never share one either. A streamed answer is kept as the pieces it came in (not
/// coalesced), so a stream answered from the cache streams as the first one did: the same pieces in order, the same
/// finish reason and usage.
/// </summary>
internal sealed class DeterministicCachingChatClient : DistributedCachingChatClient
{
    public DeterministicCachingChatClient(IChatClient inner, IDistributedCache cache, string modelId)
        : base(inner, cache)
    {
        CacheKeyAdditionalValues = [modelId];
        CoalesceStreamingUpdates = false;
    }

    protected override string GetCacheKey(IEnumerable<ChatMessage> messages, ChatOptions? options, params ReadOnlySpan<object?> additionalValues)
    {
        if (options?.Tools is not { Count: > 0 } tools)
        {
            return base.GetCacheKey(messages, options, additionalValues);
        }

        var described = string.Join('\n', tools.Select(t => t is AIFunctionDeclaration f ? $"{f.Name}\t{f.Description}\t{f.JsonSchema.GetRawText()}" : t.Name));
        return base.GetCacheKey(messages, options, [.. additionalValues, described]);
    }

    protected override bool EnableCaching(IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        options is { Temperature: 0f } or { Seed: not null };

    protected override async Task<ChatResponse?> ReadCacheAsync(string key, CancellationToken cancellationToken)
    {
        var response = await base.ReadCacheAsync(key, cancellationToken).ConfigureAwait(false);
        if (response is not null)
        {
            response.AdditionalProperties = CacheHit.Mark(response.AdditionalProperties);
        }

        return response;
    }

    protected override async Task<IReadOnlyList<ChatResponseUpdate>?> ReadCacheStreamingAsync(string key, CancellationToken cancellationToken)
    {
        var updates = await base.ReadCacheStreamingAsync(key, cancellationToken).ConfigureAwait(false);
        if (updates is [var first, ..])
        {
            first.AdditionalProperties = CacheHit.Mark(first.AdditionalProperties);
        }

        return updates;
    }
}
