using System.Runtime.CompilerServices;

namespace Inference.Engines.Grammars;

/// <summary>
/// One generation's memory of the grammar's steps: equal states are made one object (interned), and each
/// (state, character) step is computed once. Inside a string nearly every character leads back to the same state, so
/// walking the vocabulary's trie there becomes lookups instead of building stacks at every node. Bounded: past
/// <see cref="MaxTransitions"/> steps are still right, only no longer remembered. Not thread-safe; one generation uses it.
/// </summary>
internal sealed class GrammarTransitions(GbnfGrammar grammar)
{
    public const int MaxTransitions = 200_000;

    private readonly Dictionary<GrammarState, GrammarState> _interned = new(StateComparer.Instance);
    private readonly Dictionary<(GrammarState State, int CodePoint), GrammarState?> _steps = new(StepComparer.Instance);

    public GrammarState Intern(GrammarState state)
    {
        if (_interned.TryGetValue(state, out var existing))
        {
            return existing;
        }

        if (_interned.Count < MaxTransitions)
        {
            _interned[state] = state;
        }

        return state;
    }

    /// <summary>The (interned) state after <paramref name="codePoint"/>, or null when the grammar does not allow it.</summary>
    public GrammarState? Step(GrammarState state, int codePoint)
    {
        if (_steps.TryGetValue((state, codePoint), out var known))
        {
            return known;
        }

        var next = grammar.Advance(state, codePoint) is { } advanced ? Intern(advanced) : null;
        if (_steps.Count < MaxTransitions)
        {
            _steps[(state, codePoint)] = next;
        }

        return next;
    }

    /// <summary>States are equal when they hold the same stacks in the same order.</summary>
    private sealed class StateComparer : IEqualityComparer<GrammarState>
    {
        public static readonly StateComparer Instance = new();

        public bool Equals(GrammarState? x, GrammarState? y)
        {
            if (ReferenceEquals(x, y))
            {
                return true;
            }

            if (x is null || y is null || x.CanEnd != y.CanEnd || x.Stacks.Length != y.Stacks.Length)
            {
                return false;
            }

            for (var i = 0; i < x.Stacks.Length; i++)
            {
                if (!GrammarStack.Same(x.Stacks[i], y.Stacks[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(GrammarState state)
        {
            var hash = new HashCode();
            hash.Add(state.CanEnd);
            foreach (var stack in state.Stacks)
            {
                hash.Add(stack.Hash);
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>Steps are keyed by the interned state's identity.</summary>
    private sealed class StepComparer : IEqualityComparer<(GrammarState State, int CodePoint)>
    {
        public static readonly StepComparer Instance = new();

        public bool Equals((GrammarState State, int CodePoint) x, (GrammarState State, int CodePoint) y) =>
            ReferenceEquals(x.State, y.State) && x.CodePoint == y.CodePoint;

        public int GetHashCode((GrammarState State, int CodePoint) step) => HashCode.Combine(RuntimeHelpers.GetHashCode(step.State), step.CodePoint);
    }
}
