namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// The key/value cells one sequence holds, from position 0: runs of cells computed by some sequence (a
/// <see cref="KvBlock"/>), shared when a prefix was copied from a kept sequence. Sharing is always of a prefix, so
/// every holder of a block holds a prefix of it, and a block's cells in use are the longest such prefix.
/// </summary>
internal sealed class KvHolding
{
    private readonly List<(KvBlock Block, int Held)> _parts = [];
    private KvBlock? _own;

    /// <summary>Positions held, from 0.</summary>
    public int Length { get; private set; }

    public IReadOnlyList<(KvBlock Block, int Held)> Parts => _parts;

    /// <summary>A new holding of this one's first <paramref name="length"/> positions (the cells llama.cpp's sequence copy shares).</summary>
    public KvHolding Prefix(int length)
    {
        var prefix = new KvHolding();
        foreach (var (block, held) in _parts)
        {
            var take = Math.Min(held, length - prefix.Length);
            if (take <= 0)
            {
                break;
            }

            prefix._parts.Add((block, take));
            prefix.Length += take;
        }

        return prefix;
    }

    /// <summary>Records <paramref name="cells"/> new cells this sequence computed, after the ones it holds.</summary>
    public void Extend(int cells)
    {
        if (_own is null)
        {
            _own = new KvBlock();
            _parts.Add((_own, 0));
        }

        _own.Length += cells;
        _parts[^1] = (_own, _parts[^1].Held + cells);
        Length += cells;
    }
}
