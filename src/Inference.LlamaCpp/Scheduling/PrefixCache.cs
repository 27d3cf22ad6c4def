namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// Finished sequences whose key/value cells are kept, indexed by their tokens: a prompt that starts like one of them
/// (a shared system prompt, the earlier turns of a conversation) copies those cells instead of computing them.
/// Bounded in entries here and in cells by the scheduler, which evicts the least recently used.
/// </summary>
internal sealed class PrefixCache(int maxEntries)
{
    private readonly List<PrefixEntry> _entries = [];
    private long _clock;

    public int Count => _entries.Count;

    public int MaxEntries => maxEntries;

    public IReadOnlyList<PrefixEntry> Entries => _entries;

    /// <summary>
    /// The entry sharing the longest prefix with <paramref name="prompt"/>, and that length, at most one short of the
    /// prompt: its last token is always computed, for the logits of the first new one.
    /// </summary>
    public (PrefixEntry? Entry, int Length) Find(ReadOnlySpan<int> prompt)
    {
        PrefixEntry? best = null;
        var bestLength = 0;
        foreach (var entry in _entries)
        {
            var common = Math.Min(entry.Tokens.CommonPrefixLength(prompt), prompt.Length - 1);
            if (common > bestLength)
            {
                (best, bestLength) = (entry, common);
            }
        }

        if (best is not null)
        {
            best.LastUsed = ++_clock;
        }

        return (best, bestLength);
    }

    /// <summary>Keeps a finished sequence; returns the entries it makes redundant (their tokens are a prefix of its), to free.</summary>
    public List<PrefixEntry> Add(PrefixEntry entry)
    {
        var redundant = _entries.Where(e => e.Length <= entry.Length && entry.Tokens.StartsWith(e.Tokens)).ToList();
        foreach (var old in redundant)
        {
            _entries.Remove(old);
        }

        entry.LastUsed = ++_clock;
        _entries.Add(entry);
        return redundant;
    }

    /// <summary>Removes and returns the least recently used entry other than <paramref name="keep"/>, or null.</summary>
    public PrefixEntry? EvictOldest(PrefixEntry? keep = null)
    {
        var victim = _entries.Where(e => e != keep).MinBy(e => e.LastUsed);
        if (victim is not null)
        {
            _entries.Remove(victim);
        }

        return victim;
    }

    public IReadOnlyList<PrefixEntry> Clear()
    {
        var all = _entries.ToList();
        _entries.Clear();
        return all;
    }
}
