namespace Inference.Engines.Grammars;

/// <summary>
/// One way the grammar may go on: a stack of element positions, the top being the character element to match next.
/// Persistent (each push makes a node that shares its parent), so the many stacks of a step share their prefixes.
/// </summary>
internal sealed class GrammarStack
{
    public GrammarStack(int position, GrammarStack? parent)
    {
        Position = position;
        Parent = parent;
        Hash = HashCode.Combine(position, parent?.Hash ?? 0);
    }

    public int Position { get; }

    public GrammarStack? Parent { get; }

    public int Hash { get; }

    public static bool Same(GrammarStack? a, GrammarStack? b)
    {
        while (true)
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }

            if (a is null || b is null || a.Hash != b.Hash || a.Position != b.Position)
            {
                return false;
            }

            a = a.Parent;
            b = b.Parent;
        }
    }
}
