using System.Buffers;

namespace Inference.Engines.Grammars;

/// <summary>
/// One generation's grammar: which tokens may come next, and the match so far as tokens are accepted. Tokens are
/// matched by their bytes, decoded as UTF-8 as they go: a token may end inside a character (byte-fallback pieces) when
/// some character starting with those bytes is allowed, and the next token goes on from there. End-of-generation
/// tokens are allowed only where the text so far is a whole match. Only one thread uses it at a time.
/// </summary>
public sealed class GrammarConstraint : IDisposable
{
    private readonly GbnfGrammar _grammar;
    private readonly TokenTrie _trie;
    private readonly IReadOnlyCollection<int> _endTokens;
    /// <summary>Masks remembered per generation, for states it comes back to (a loop inside a string, say).</summary>
    private const int MaxRememberedMasks = 16;

    private readonly GrammarTransitions _transitions;
    private readonly Dictionary<GrammarState, int[]> _masks = new(ReferenceEqualityComparer.Instance);
    private GrammarState _state;
    private Utf8Partial _partial;
    private int[] _allowed;

    public GrammarConstraint(GbnfGrammar grammar, TokenTrie trie, IReadOnlyCollection<int> endTokens)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(trie);
        _grammar = grammar;
        _trie = trie;
        _endTokens = endTokens;
        _transitions = new GrammarTransitions(grammar);
        _state = _transitions.Intern(grammar.Start);
        _allowed = ArrayPool<int>.Shared.Rent(Math.Min(trie.VocabularySize, 4096));
    }

    /// <summary>The text so far is a whole match: an end-of-generation token may come.</summary>
    public bool CanEnd => !_partial.IsPending && _state.CanEnd;

    /// <summary>Nothing may follow: generation must end here.</summary>
    public bool IsClosed => !_partial.IsPending && _state.IsClosed;

    /// <summary>Steps that needed the whole vocabulary masked (the sampler's pick was refused), for measurement.</summary>
    public int MaskCount { get; private set; }

    /// <summary>Whether <paramref name="token"/> ends generation (it is one of the end tokens this constraint was given).</summary>
    public bool IsEndToken(int token) => _endTokens.Contains(token);

    /// <summary>Whether <paramref name="token"/> may come next.</summary>
    public bool Allows(int token) => _endTokens.Contains(token) ? CanEnd : Walk(token, out _) is not null;

    /// <summary>Takes a token that <see cref="Allows"/> allowed.</summary>
    public void Accept(int token)
    {
        if (!TryAccept(token))
        {
            throw new InvalidOperationException($"Token {token} is not allowed by the grammar here.");
        }
    }

    /// <summary>Takes a token, or returns false (and stays as it was) when the grammar does not allow it here.</summary>
    public bool TryAccept(int token)
    {
        if (_endTokens.Contains(token))
        {
            return _state.CanEnd;
        }

        if (Walk(token, out var partial) is not { } state)
        {
            return false;
        }

        _state = state;
        _partial = partial;
        return true;
    }

    /// <summary>
    /// Sets every token the grammar does not allow next to negative infinity in <paramref name="scores"/>; returns
    /// how many are allowed (0: no token of this vocabulary can continue the match).
    /// </summary>
    public int Mask(Span<float> scores)
    {
        MaskCount++;
        var count = 0;
        if (!_partial.IsPending && _masks.TryGetValue(_state, out var known))
        {
            // A state this generation has masked before (states are interned): the same tokens again.
            foreach (var token in known)
            {
                Add(token, ref count);
            }
        }
        else
        {
            Collect(0, _state, _partial, ref count);
            if (CanEnd)
            {
                foreach (var end in _endTokens)
                {
                    if ((uint)end < (uint)scores.Length)
                    {
                        Add(end, ref count);
                    }
                }
            }

            if (!_partial.IsPending && _masks.Count < MaxRememberedMasks)
            {
                _masks[_state] = _allowed.AsSpan(0, count).ToArray();
            }
        }

        // Keep the allowed scores aside, blank everything, put them back.
        var kept = ArrayPool<float>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                kept[i] = scores[_allowed[i]];
            }

            scores.Fill(float.NegativeInfinity);
            for (var i = 0; i < count; i++)
            {
                scores[_allowed[i]] = kept[i];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(kept);
        }

        return count;
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_allowed);
        _allowed = [];
    }

    private void Collect(int node, GrammarState state, Utf8Partial partial, ref int count)
    {
        if (node != 0 && (!partial.IsPending || _grammar.AllowsPrefix(state, partial.Span())))
        {
            foreach (var token in _trie.TokensAt(node))
            {
                Add(token, ref count);
            }
        }

        for (var edge = _trie.EdgeStart(node); edge < _trie.EdgeEnd(node); edge++)
        {
            if (!Utf8Partial.Step(partial, _trie.EdgeByte(edge), out var next, out var codePoint))
            {
                continue;
            }

            if (codePoint < 0)
            {
                // A character still incomplete: go on only while some character it may become is allowed.
                if (_grammar.AllowsPrefix(state, next.Span()))
                {
                    Collect(_trie.EdgeTarget(edge), state, next, ref count);
                }
            }
            else if (_transitions.Step(state, codePoint) is { } advanced)
            {
                Collect(_trie.EdgeTarget(edge), advanced, default, ref count);
            }
        }
    }

    private GrammarState? Walk(int token, out Utf8Partial partial)
    {
        partial = _partial;
        var bytes = _trie.Bytes(token);
        if (bytes.IsEmpty)
        {
            return null;
        }

        var state = _state;
        foreach (var b in bytes)
        {
            if (!Utf8Partial.Step(partial, b, out partial, out var codePoint))
            {
                return null;
            }

            if (codePoint >= 0)
            {
                if (_transitions.Step(state, codePoint) is not { } advanced)
                {
                    return null;
                }

                state = advanced;
            }
        }

        return !partial.IsPending || _grammar.AllowsPrefix(state, partial.Span()) ? state : null;
    }

    private void Add(int token, ref int count)
    {
        if (count == _allowed.Length)
        {
            var grown = ArrayPool<int>.Shared.Rent(_allowed.Length * 2);
            _allowed.AsSpan().CopyTo(grown);
            ArrayPool<int>.Shared.Return(_allowed);
            _allowed = grown;
        }

        _allowed[count++] = token;
    }
}
