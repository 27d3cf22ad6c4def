using System.Diagnostics;
using Inference.Serving.Caching;
using Inference.Serving.Routing;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Auditing;

/// <summary>Times one call and records it with the request's id and caller once it ends, whichever way it ends.</summary>
internal sealed class InferenceCallRecorder(IInferenceAuditLog log, TimeProvider time, string model, string provider, string operation)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private readonly long _timestamp = time.GetTimestamp();
    private readonly RouteAttempt? _route = RouteAttempt.Current;
    private readonly InferenceContext? _context = InferenceContext.Current;
    private TimeSpan? _firstToken;
    private bool _recorded;
    private bool _cacheHit;

    public void FirstToken() => _firstToken ??= time.GetElapsedTime(_timestamp);

    /// <summary>Notes a cache hit when <paramref name="properties"/> carry the response cache's mark.</summary>
    public void FromCache(AdditionalPropertiesDictionary? properties) => _cacheHit |= CacheHit.IsMarked(properties);

    public void Succeeded(long? inputTokens, long? outputTokens) => Record(InferenceCall.Ok, null, inputTokens, outputTokens);

    public void Failed(Exception exception, long? inputTokens = null, long? outputTokens = null) =>
        Record(
            exception is OperationCanceledException ? InferenceCall.Cancelled : InferenceCall.Failed,
            Truncate($"{exception.GetType().Name}: {exception.Message}"),
            inputTokens,
            outputTokens);

    public void Abandoned(long? inputTokens, long? outputTokens) => Record(InferenceCall.Cancelled, "The caller stopped reading the stream.", inputTokens, outputTokens);

    private void Record(string status, string? error, long? inputTokens, long? outputTokens)
    {
        if (_recorded)
        {
            return;
        }

        _recorded = true;
        var caller = _context?.Caller;
        _context?.Usage?.Add(model, _route?.Version, inputTokens ?? 0, outputTokens ?? 0);
        log.Record(new InferenceCall(
            // Time-ordered (version 7): rows land at the end of the primary key's B-tree instead of at random pages.
            Guid.CreateVersion7(_started),
            _context?.RequestId ?? Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N"),
            model,
            provider,
            operation,
            (int?)inputTokens,
            (int?)outputTokens,
            time.GetElapsedTime(_timestamp),
            _firstToken,
            status,
            error,
            _context?.MadeBy,
            _started,
            _cacheHit,
            _route,
            caller?.KeyId,
            caller?.Tenant));
    }

    private static string Truncate(string text) => text.Length <= 1000 ? text : text[..1000];
}
