namespace Inference.LlamaCpp.Scheduling;

/// <summary>A finished sequence kept for reuse: its llama.cpp sequence id, the tokens its cells hold, the cells.</summary>
internal sealed class PrefixEntry(int sequenceId, int[] tokens, int length, KvHolding holding)
{
    public int SequenceId { get; } = sequenceId;

    /// <summary>The tokens whose cells the entry holds (the first <see cref="Length"/> of the array).</summary>
    public ReadOnlySpan<int> Tokens => tokens.AsSpan(0, Length);

    public int Length { get; } = length;

    public KvHolding Holding { get; } = holding;

    /// <summary>When it was last kept or reused, for least-recently-used eviction.</summary>
    public long LastUsed { get; set; }
}
