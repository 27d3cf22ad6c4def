namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// Counts key/value cells exactly from the holdings of running and kept sequences: a block's cells in use are the
/// longest prefix any holder holds, and cells only kept sequences hold are the ones evicting them would free.
/// Fill it with <see cref="Hold"/>, then read <see cref="Totals"/>; it reuses its table, so a count allocates nothing.
/// </summary>
internal sealed class KvLedger
{
    private readonly Dictionary<KvBlock, (int All, int Running)> _blocks = new(ReferenceEqualityComparer.Instance);

    public void Clear() => _blocks.Clear();

    public void Hold(KvHolding holding, bool running)
    {
        foreach (var (block, held) in holding.Parts)
        {
            var (all, run) = _blocks.GetValueOrDefault(block);
            _blocks[block] = (Math.Max(all, held), running ? Math.Max(run, held) : run);
        }
    }

    /// <summary>Cells in use, and the part of them that only kept (evictable) sequences hold.</summary>
    public (int Used, int KeptOnly) Totals()
    {
        int used = 0, keptOnly = 0;
        foreach (var (all, running) in _blocks.Values)
        {
            used += all;
            keptOnly += all - running;
        }

        return (used, keptOnly);
    }
}
