namespace Inference.Serving.Auditing;

/// <summary>One inference call as the audit log records it.</summary>
/// <param name="Operation">"chat", "embeddings" or "classify".</param>
/// <param name="Status">"ok", "error" or "cancelled".</param>
/// <param name="Caller">The authenticated user, else the client's address.</param>
/// <param name="CacheHit">The answer came from the response cache (for embeddings: every input's).</param>
/// <param name="Route">How the request was routed to the model, when it was: name, version, experiment, fallback.</param>
/// <param name="KeyId">The API key (or token) the call was made with, when authentication is on.</param>
/// <param name="Tenant">That key's tenant.</param>
public sealed record InferenceCall(
    Guid Id,
    string RequestId,
    string Model,
    string Provider,
    string Operation,
    int? InputTokens,
    int? OutputTokens,
    TimeSpan Latency,
    TimeSpan? TimeToFirstToken,
    string Status,
    string? Error,
    string? Caller,
    DateTimeOffset Timestamp,
    bool CacheHit = false,
    Routing.RouteAttempt? Route = null,
    string? KeyId = null,
    string? Tenant = null)
{
    public const string Ok = "ok";
    public const string Failed = "error";
    public const string Cancelled = "cancelled";
}
