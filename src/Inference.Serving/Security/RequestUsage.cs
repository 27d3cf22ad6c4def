namespace Inference.Serving.Security;

/// <summary>
/// What one request's inference calls used, added up as each call is recorded (a request may make several: fallbacks,
/// <c>/infer/batch</c>): read once the request ends to correct the token estimate its limits reserved and to charge it.
/// Present only when something counts it (a caller with limits or a budget).
/// </summary>
public sealed class RequestUsage
{
    private readonly Lock _lock = new();
    private readonly List<(string Model, string? Version, long InputTokens, long OutputTokens)> _calls = [];

    /// <summary>Set when the request goes to its key's overflow model instead of the one it named.</summary>
    public string? OverflowModel { get; set; }

    /// <summary>Adds a call to <paramref name="model"/> (in <paramref name="version"/> when it was routed to one).</summary>
    public void Add(string model, string? version, long inputTokens, long outputTokens)
    {
        lock (_lock)
        {
            _calls.Add((model, version, inputTokens, outputTokens));
        }
    }

    public IReadOnlyList<(string Model, string? Version, long InputTokens, long OutputTokens)> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public long TotalTokens => Calls.Sum(c => c.InputTokens + c.OutputTokens);
}
