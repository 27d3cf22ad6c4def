namespace Inference.Serving.Auditing;

/// <summary>
/// The request id calls made here are audited under, when it is not the HTTP request's: each item of a batch or a job
/// (<c>{batch}-{index}</c>), so every item's audit row can be found by the id its response carries.
/// </summary>
public static class AuditRequestId
{
    private static readonly AsyncLocal<string?> CurrentId = new();

    public static string? Current => CurrentId.Value;

    /// <summary>Audits the calls of the current flow under <paramref name="requestId"/> until the scope is disposed.</summary>
    public static Scope Begin(string requestId)
    {
        var previous = CurrentId.Value;
        CurrentId.Value = requestId;
        return new Scope(previous, true);
    }

    /// <summary>Restores the id before it; the default scope does nothing.</summary>
    public readonly struct Scope(string? previous, bool active) : IDisposable
    {
        public void Dispose()
        {
            if (active)
            {
                CurrentId.Value = previous;
            }
        }
    }
}
