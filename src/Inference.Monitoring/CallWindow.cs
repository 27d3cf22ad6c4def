using Inference.Serving.Auditing;
using Microsoft.Extensions.Options;

namespace Inference.Monitoring;

/// <summary>
/// The calls this service finished recently, oldest first, for rates, percentiles, alerts and the performance report:
/// kept for <see cref="MonitoringOptions.Window"/> and at most <see cref="MonitoringOptions.MaxCalls"/> of them.
/// </summary>
public sealed class CallWindow(IOptions<MonitoringOptions> options, TimeProvider time)
{
    private readonly Queue<InferenceCall> _calls = new();
    private readonly Lock _lock = new();

    public void Add(InferenceCall call)
    {
        lock (_lock)
        {
            _calls.Enqueue(call);
            while (_calls.Count > options.Value.MaxCalls)
            {
                _calls.Dequeue();
            }

            Trim();
        }
    }

    /// <summary>The calls that ended within <paramref name="window"/> of now (the whole window when null), oldest first.</summary>
    public IReadOnlyList<InferenceCall> Since(TimeSpan? window = null)
    {
        var from = time.GetUtcNow() - (window ?? options.Value.Window);
        lock (_lock)
        {
            Trim();
            return [.. _calls.Where(c => End(c) >= from)];
        }
    }

    private void Trim()
    {
        var oldest = time.GetUtcNow() - options.Value.Window;
        while (_calls.TryPeek(out var first) && End(first) < oldest)
        {
            _calls.Dequeue();
        }
    }

    private static DateTimeOffset End(InferenceCall call) => call.Timestamp + call.Latency;
}
