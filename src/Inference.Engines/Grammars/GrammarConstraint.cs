using System.Buffers;

namespace Inference.Engines.Grammars;

/// <summary>
/// One generation's grammar: which tokens may come next, and the match so far as tokens are accepted. Tokens are
/// matched by their bytes, decoded as UTF-8 as they go; a token that would leave a character half-written is not
/// allowed (a grammar's classes are of characters). End-of-generation tokens are allowed only where the text so far
/// is a whole match. Only one thread uses it at a time.
/// </summary>
public sealed class GrammarConstraint : IDisposable
{
    private readonly GbnfGrammar _grammar;
    private readonly TokenTrie _trie;
    private readonly IReadOnlyCollection<int> _endTokens;
    private GrammarState _state;
    private int[] _allowed;

    public GrammarConstraint(GbnfGrammar grammar, TokenTrie trie, IReadOnlyCollection<int> endTokens)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(trie);
        _grammar = grammar;
        _trie = trie;
        _endTokens = endTokens;
        _state = grammar.Start;
        _allowed = ArrayPool<int>.Shared.Rent(Math.Min(trie.VocabularySize, 4096));
    }

    /// <summary>The text so far is a whole match: an end-of-generation token may come.</summary>
    public bool CanEnd => _state.CanEnd;

    /// <summary>Nothing may follow: generation must end here.</summary>
    public bool IsClosed => _state.IsClosed;

    /// <summary>Whether <paramref name="token"/> may come next.</summary>
    public bool Allows(int token) => _endTokens.Contains(token) ? _state.CanEnd : Walk(token) is not null;

    /// <summary>Takes a token that <see cref="Allows"/> allowed.</summary>
    public void Accept(int token)
    {
        if (_endTokens.Contains(token))
        {
            return;
        }

        _state = Walk(token) ?? throw new InvalidOperationException($"Token {token} is not allowed by the grammar here.");
    }

    /// <summary>
    /// Sets every token the grammar does not allow next to negative infinity in <paramref name="scores"/>; returns
    /// how many are allowed (0: no token of this vocabulary can continue the match).
    /// </summary>
    public int Mask(Span<float> scores)
    {
        var count = 0;
        Collect(0, _state, 0, 0, ref count);
        if (_state.CanEnd)
        {
            foreach (var end in _endTokens)
            {
                Add(end, ref count);
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

    private void Collect(int node, GrammarState state, int partial, int pending, ref int count)
    {
        if (pending == 0)
        {
            foreach (var token in _trie.TokensAt(node))
            {
                Add(token, ref count);
            }
        }

        for (var edge = _trie.EdgeStart(node); edge < _trie.EdgeEnd(node); edge++)
        {
            // Each edge decodes from this node's own state.
            var (p, n) = (partial, pending);
            if (!Utf8Step(_trie.EdgeByte(edge), ref p, ref n, out var complete))
            {
                continue;
            }

            if (!complete)
            {
                Collect(_trie.EdgeTarget(edge), state, p, n, ref count);
            }
            else if (_grammar.Advance(state, p) is { } next)
            {
                Collect(_trie.EdgeTarget(edge), next, 0, 0, ref count);
            }
        }
    }

    private GrammarState? Walk(int token)
    {
        var bytes = _trie.Bytes(token);
        if (bytes.IsEmpty)
        {
            return null;
        }

        var state = _state;
        var partial = 0;
        var pending = 0;
        foreach (var b in bytes)
        {
            if (!Utf8Step(b, ref partial, ref pending, out var complete))
            {
                return null;
            }

            if (complete)
            {
                state = _grammar.Advance(state, partial);
                if (state is null)
                {
                    return null;
                }

                partial = 0;
            }
        }

        return pending == 0 ? state : null;
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

    /// <summary>Feeds one byte to a UTF-8 decoder; false for a byte that cannot come here.</summary>
    private static bool Utf8Step(byte b, ref int partial, ref int pending, out bool complete)
    {
        complete = false;
        if (pending == 0)
        {
            if (b < 0x80)
            {
                partial = b;
                complete = true;
                return true;
            }

            (partial, pending) = (b & 0xE0) == 0xC0 ? (b & 0x1F, 1) : (b & 0xF0) == 0xE0 ? (b & 0x0F, 2) : (b & 0xF8) == 0xF0 ? (b & 0x07, 3) : (0, -1);
            if (pending < 0)
            {
                pending = 0;
                return false;
            }

            return true;
        }

        if ((b & 0xC0) != 0x80)
        {
            return false;
        }

        partial = (partial << 6) | (b & 0x3F);
        complete = --pending == 0;
        return true;
    }
}
