namespace Inference.Engines.Grammars;

/// <summary>
/// Where a match stands: every stack whose top is a character element that may come next, and whether the text so
/// far is already a whole match. Immutable: advancing makes a new state, so looking ahead costs the current one nothing.
/// </summary>
internal sealed class GrammarState
{
    public GrammarState(GrammarStack[] stacks, bool canEnd)
    {
        Stacks = stacks;
        CanEnd = canEnd;
    }

    public GrammarStack[] Stacks { get; }

    /// <summary>The text so far is a whole match: generation may stop here.</summary>
    public bool CanEnd { get; }

    /// <summary>Nothing may follow: the match is complete and closed.</summary>
    public bool IsClosed => Stacks.Length == 0;
}
