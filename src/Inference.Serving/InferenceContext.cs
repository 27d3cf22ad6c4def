using Inference.Serving.Routing;
using Inference.Serving.Security;

namespace Inference.Serving;

/// <summary>
/// The request an inference call belongs to, whatever carried it (an HTTP request, a job's item, a message): the id its
/// calls are audited under, the authenticated caller (its key, tenant and the models it may use), who it was made by
/// and for (the audit log's caller, and the identity that keeps a caller on one side of a traffic split), what its
/// calls use (when something counts it), and the route its model took, which says who answered. A transport begins one
/// per request; the serving core reads it. Flows with the request as an async local.
/// </summary>
public sealed class InferenceContext
{
    private static readonly AsyncLocal<InferenceContext?> Ambient = new();

    public InferenceContext(string requestId)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        RequestId = requestId;
    }

    /// <summary>The context of the request running on this async flow, if a transport began one.</summary>
    public static InferenceContext? Current => Ambient.Value;

    /// <summary>The id the request's calls are audited under (an item of a batch or a job has its own).</summary>
    public string RequestId { get; }

    /// <summary>The authenticated caller; null when authentication is off or the route is open (then nothing is restricted).</summary>
    public InferenceCaller? Caller { get; set; }

    /// <summary>Who made the request, for the audit log: the authenticated name, else the client's address.</summary>
    public string? MadeBy { get; set; }

    /// <summary>Who the request is for, to keep a caller on one side of a traffic split (an end user's id, else <see cref="MadeBy"/>).</summary>
    public string? Affinity { get; set; }

    /// <summary>What the request's calls used, added up as each is recorded; present only when something counts it (limits, a budget).</summary>
    public RequestUsage? Usage { get; set; }

    /// <summary>The route the request's model took (the last one, when it routed several): who answered, and whether a fallback did.</summary>
    public RouteRunner? Route { get; internal set; }

    /// <summary>Runs the calls of the current flow in <paramref name="context"/> until the returned scope is disposed.</summary>
    public static Scope Begin(InferenceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var previous = Ambient.Value;
        Ambient.Value = context;
        return new Scope(previous);
    }

    /// <summary>A context for one item of this request (a batch's or a job's): its own request id, the same caller.</summary>
    public InferenceContext Item(string requestId) => new(requestId) { Caller = Caller, MadeBy = MadeBy, Affinity = Affinity, Usage = Usage };

    /// <summary>True when no caller is known (authentication off) or the caller may call <paramref name="model"/>.</summary>
    public static bool MayUse(string model) => Current?.Caller is not { } caller || caller.MayUse(model);

    /// <summary>Restores the context before it.</summary>
    public readonly struct Scope(InferenceContext? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
