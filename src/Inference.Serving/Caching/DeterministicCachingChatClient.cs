using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace Inference.Serving.Caching;

/// <summary>
/// MEAI's distributed caching, limited to requests whose answer cannot vary: temperature 0 or a fixed seed.
/// The model id is part of the key, so models never share entries; so are the tools (which MEAI's key leaves out),
/// so requests with different tools never share one either. A streamed answer is kept as the pieces it came in (not
/// coalesced), so a stream answered from the cache streams as the first one did: the same pieces in order, the same
/// finish reason and usage. What the cache keeps is the answer, not its identity: each answer read from it gets an id,
/// a message id, tool call ids and a creation time of its own, as a new answer would.
/// </summary>
internal sealed class DeterministicCachingChatClient : DistributedCachingChatClient
{
    public DeterministicCachingChatClient(IChatClient inner, IDistributedCache cache, string modelId)
        : base(inner, cache)
    {
        CacheKeyAdditionalValues = [modelId];
        CoalesceStreamingUpdates = false;
    }

    protected override string GetCacheKey(IEnumerable<ChatMessage> messages, ChatOptions? options, params ReadOnlySpan<object?> additionalValues) =>
        CacheKey.Of(messages, options, CacheKeyAdditionalValues, additionalValues, JsonSerializerOptions);

    protected override bool EnableCaching(IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        options is { Temperature: 0f } or { Seed: not null };

    protected override async Task<ChatResponse?> ReadCacheAsync(string key, CancellationToken cancellationToken)
    {
        var response = await base.ReadCacheAsync(key, cancellationToken).ConfigureAwait(false);
        if (response is not null)
        {
            var identity = new Identity(response.ResponseId);
            response.AdditionalProperties = CacheHit.Mark(response.AdditionalProperties);
            response.ResponseId = identity.ResponseId;
            response.CreatedAt = identity.Created;
            foreach (var message in response.Messages)
            {
                message.MessageId = identity.MessageId(message.MessageId);
                message.CreatedAt = message.CreatedAt is null ? null : identity.Created;
                message.Contents = identity.Calls(message.Contents);
            }
        }

        return response;
    }

    protected override async Task<IReadOnlyList<ChatResponseUpdate>?> ReadCacheStreamingAsync(string key, CancellationToken cancellationToken)
    {
        var updates = await base.ReadCacheStreamingAsync(key, cancellationToken).ConfigureAwait(false);
        if (updates is [var first, ..])
        {
            first.AdditionalProperties = CacheHit.Mark(first.AdditionalProperties);
            var identity = new Identity(first.ResponseId);
            foreach (var update in updates)
            {
                update.ResponseId = identity.ResponseId;
                update.MessageId = identity.MessageId(update.MessageId);
                update.CreatedAt = update.CreatedAt is null ? null : identity.Created;
                update.Contents = identity.Calls(update.Contents);
            }
        }

        return updates;
    }

    /// <summary>
    /// The identity of one answer read from the cache: a new response id (with the prefix of the one cached, e.g.
    /// chatcmpl-), new message and tool call ids (the same old id gets the same new one throughout the answer), and now.
    /// </summary>
    private sealed class Identity(string? cachedResponseId)
    {
        private readonly Dictionary<string, string> _renamed = new(StringComparer.Ordinal);

        public string? ResponseId { get; } = cachedResponseId is null ? null : Renew(cachedResponseId);

        public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;

        public string? MessageId(string? cached) => cached is null ? null : Rename(cached);

        public IList<AIContent> Calls(IList<AIContent> contents)
        {
            if (!contents.Any(c => c is FunctionCallContent))
            {
                return contents;
            }

            return [.. contents.Select(c => c is FunctionCallContent call
                ? new FunctionCallContent(Rename(call.CallId), call.Name, call.Arguments) { RawRepresentation = call.RawRepresentation, AdditionalProperties = call.AdditionalProperties }
                : c)];
        }

        private string Rename(string cached)
        {
            if (!_renamed.TryGetValue(cached, out var renewed))
            {
                _renamed[cached] = renewed = Renew(cached);
            }

            return renewed;
        }

        /// <summary>A fresh id in the form of <paramref name="id"/>: its prefix up to the last '-' or '_', then 32 new hex digits.</summary>
        private static string Renew(string id)
        {
            var cut = id.LastIndexOfAny(['-', '_']);
            return (cut >= 0 ? id[..(cut + 1)] : "") + Guid.NewGuid().ToString("N");
        }
    }
}
