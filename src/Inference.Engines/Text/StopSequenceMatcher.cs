using System.Text;

namespace Inference.Engines.Text;

/// <summary>
/// Finds stop sequences in streamed text, even when they arrive split across tokens: text that could still be the
/// start of a stop sequence is held back until it is known not to be one.
/// </summary>
public sealed class StopSequenceMatcher(IReadOnlyList<string> stops)
{
    private readonly StringBuilder _pending = new();

    public bool Stopped { get; private set; }

    /// <summary>Adds text; returns what can be emitted now. Once a stop sequence is found, <see cref="Stopped"/> is set.</summary>
    public string Push(ReadOnlySpan<char> text)
    {
        if (stops.Count == 0)
        {
            return text.ToString();
        }

        _pending.Append(text);
        var pending = _pending.ToString();
        var stopAt = -1;
        foreach (var stop in stops)
        {
            var at = pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt))
            {
                stopAt = at;
            }
        }

        if (stopAt >= 0)
        {
            Stopped = true;
            _pending.Clear();
            return pending[..stopAt];
        }

        var hold = 0;
        foreach (var stop in stops)
        {
            hold = Math.Max(hold, PartialMatch.Suffix(pending, stop));
        }

        _pending.Remove(0, pending.Length - hold);
        return pending[..^hold];
    }

    /// <summary>The held-back text, released when generation ends without a stop sequence.</summary>
    public string Flush()
    {
        var rest = _pending.ToString();
        _pending.Clear();
        return rest;
    }
}
