using System.Diagnostics;

namespace Inference.Engines.Text;

/// <summary>Tokens per second over a sliding window of whole seconds (10 by default): cheap to add to, safe to share.</summary>
public sealed class TokenRate(int windowSeconds = 10)
{
    private readonly long[] _counts = new long[windowSeconds];
    private readonly long[] _seconds = new long[windowSeconds];
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Lock _lock = new();

    public void Add(long tokens)
    {
        var second = Now();
        var slot = (int)(second % windowSeconds);
        lock (_lock)
        {
            if (_seconds[slot] != second)
            {
                _seconds[slot] = second;
                _counts[slot] = 0;
            }

            _counts[slot] += tokens;
        }
    }

    /// <summary>Tokens per second over the completed seconds of the window.</summary>
    public double PerSecond()
    {
        var now = Now();
        var span = Math.Min(windowSeconds, now);
        if (span == 0)
        {
            return 0;
        }

        long total = 0;
        lock (_lock)
        {
            for (var i = 0; i < windowSeconds; i++)
            {
                if (_seconds[i] < now && _seconds[i] >= now - span)
                {
                    total += _counts[i];
                }
            }
        }

        return (double)total / span;
    }

    private long Now() => (long)Stopwatch.GetElapsedTime(_started).TotalSeconds;
}
