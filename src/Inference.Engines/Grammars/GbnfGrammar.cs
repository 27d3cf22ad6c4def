using System.Text;

namespace Inference.Engines.Grammars;

/// <summary>
/// A GBNF grammar (llama.cpp's format), parsed, checked and compiled: what an engine uses to restrict which tokens
/// may come next. <see cref="Text"/> is the grammar in canonical GBNF, which is what llama.cpp is given, so both
/// engines run exactly the grammar that was checked here.
/// </summary>
public sealed class GbnfGrammar
{
    private readonly GrammarProgram _program;
    private readonly IReadOnlyList<GbnfRule> _rules;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> _shortest = new(StringComparer.Ordinal);

    private GbnfGrammar(string text, GrammarProgram program, IReadOnlyList<GbnfRule> rules)
    {
        Text = text;
        _program = program;
        _rules = rules;
        Start = Expand(null, seed: program.Root);
    }

    /// <summary>The grammar in canonical GBNF, its start rule named <c>root</c>.</summary>
    public string Text { get; }

    internal GrammarState Start { get; }

    /// <summary>Parses and checks <paramref name="gbnf"/>; a <see cref="GrammarSyntaxException"/> says what is wrong and where.</summary>
    public static GbnfGrammar Parse(string gbnf, string root = "root")
    {
        ArgumentNullException.ThrowIfNull(gbnf);
        var rules = GbnfParser.Parse(gbnf);
        var program = GrammarProgram.Compile(rules, root);
        return new GbnfGrammar(GbnfWriter.Write(rules, root), program, rules);
    }

    /// <summary>True when the whole of <paramref name="text"/> is in the grammar's language.</summary>
    public bool Matches(string text)
    {
        var state = Start;
        foreach (var rune in text.EnumerateRunes())
        {
            state = Advance(state, rune.Value);
            if (state is null)
            {
                return false;
            }
        }

        return state.CanEnd;
    }

    /// <summary>The shortest text the rule named <paramref name="rule"/> matches, or null when it matches none.</summary>
    public string? ShortestMatch(string rule = "root") => _shortest.GetOrAdd(rule, static (name, rules) => GbnfShortest.Of(rules, name), _rules);

    public override string ToString() => Text;

    /// <summary>The state after <paramref name="codePoint"/>, or null when the grammar does not allow it here.</summary>
    internal GrammarState? Advance(GrammarState state, int codePoint)
    {
        List<GrammarStack>? next = null;
        var canEnd = false;
        foreach (var stack in state.Stacks)
        {
            if (!MatchChar(stack.Position, codePoint, out var after))
            {
                continue;
            }

            next ??= [];
            if (_program.IsEndOfSequence(after))
            {
                ExpandInto(stack.Parent, next, ref canEnd);
            }
            else
            {
                ExpandInto(new GrammarStack(after, stack.Parent), next, ref canEnd);
            }
        }

        return next is null ? null : new GrammarState([.. next], canEnd);
    }

    /// <summary>Whether some character in <paramref name="span"/> (what a half-read character may become) may come next.</summary>
    internal bool AllowsPrefix(GrammarState state, (int Low, int High) span)
    {
        var (low, high) = span;
        if (low > high)
        {
            return false;
        }

        var types = _program.Types;
        var values = _program.Values;
        foreach (var stack in state.Stacks)
        {
            var pos = stack.Position;
            if (types[pos] == ElementType.CharAny)
            {
                return true;
            }

            var positive = types[pos] == ElementType.Char;
            do
            {
                var (from, to) = types[pos + 1] == ElementType.CharRangeUpper ? (values[pos], values[pos + 1]) : (values[pos], values[pos]);
                pos += types[pos + 1] == ElementType.CharRangeUpper ? 2 : 1;

                // Positive: some listed character lies in the span. Negated: the span is not wholly inside one exclusion.
                if (positive ? from <= high && to >= low : !(from <= low && high <= to))
                {
                    return true;
                }
            }
            while (types[pos] == ElementType.CharAlt);
        }

        return false;
    }

    private GrammarState Expand(GrammarStack? stack, int seed)
    {
        var into = new List<GrammarStack>();
        var canEnd = false;
        foreach (var start in _program.Alternatives[seed])
        {
            ExpandInto(_program.IsEndOfSequence(start) ? stack : new GrammarStack(start, stack), into, ref canEnd);
        }

        return new GrammarState([.. into], canEnd);
    }

    /// <summary>llama.cpp's advance_stack: expands rule references at the top until a character element is on top.</summary>
    private void ExpandInto(GrammarStack? stack, List<GrammarStack> into, ref bool canEnd)
    {
        if (stack is null)
        {
            canEnd = true;
            return;
        }

        var types = _program.Types;
        var pos = stack.Position;
        if (types[pos] != ElementType.RuleRef)
        {
            foreach (var existing in into)
            {
                if (GrammarStack.Same(existing, stack))
                {
                    return;
                }
            }

            into.Add(stack);
            return;
        }

        var rest = _program.IsEndOfSequence(pos + 1) ? stack.Parent : new GrammarStack(pos + 1, stack.Parent);
        foreach (var start in _program.Alternatives[_program.Values[pos]])
        {
            ExpandInto(_program.IsEndOfSequence(start) ? rest : new GrammarStack(start, rest), into, ref canEnd);
        }
    }

    private bool MatchChar(int pos, int cp, out int after)
    {
        var types = _program.Types;
        var values = _program.Values;
        if (types[pos] == ElementType.CharAny)
        {
            after = pos + 1;
            return true;
        }

        var positive = types[pos] == ElementType.Char;
        var found = false;
        do
        {
            if (types[pos + 1] == ElementType.CharRangeUpper)
            {
                found |= values[pos] <= cp && cp <= values[pos + 1];
                pos += 2;
            }
            else
            {
                found |= values[pos] == cp;
                pos++;
            }
        }
        while (types[pos] == ElementType.CharAlt);

        after = pos;
        return found == positive;
    }
}
