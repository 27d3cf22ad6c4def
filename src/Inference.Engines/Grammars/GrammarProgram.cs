namespace Inference.Engines.Grammars;

/// <summary>
/// A grammar compiled for matching, in llama.cpp's layout: each rule a run of elements, its alternatives separated by
/// <see cref="ElementType.Alt"/> and closed by <see cref="ElementType.End"/>; groups and repetitions become rules of
/// their own (right-recursive, so a long repetition never deepens a stack). Compiling refuses undefined rules and left
/// recursion, which no top-down matcher could run.
/// </summary>
internal sealed class GrammarProgram
{
    private readonly List<ElementType> _types = [];
    private readonly List<int> _values = [];
    private readonly List<List<List<(ElementType, int)>>> _ruleBodies = [];
    private readonly List<GbnfRule> _origins = [];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    private GrammarProgram()
    {
    }

    public ElementType[] Types { get; private set; } = [];

    public int[] Values { get; private set; } = [];

    /// <summary>Per rule, the position of each alternative's first element.</summary>
    public int[][] Alternatives { get; private set; } = [];

    public int Root { get; private set; }

    public static GrammarProgram Compile(IReadOnlyList<GbnfRule> rules, string root)
    {
        var program = new GrammarProgram();
        foreach (var rule in rules)
        {
            if (!program._ids.TryAdd(rule.Name, program._ids.Count))
            {
                throw new GrammarSyntaxException($"rule '{rule.Name}' is defined more than once", rule.Line, rule.Column);
            }

            program._ruleBodies.Add([]);
            program._origins.Add(rule);
        }

        if (!program._ids.TryGetValue(root, out var rootId))
        {
            throw new GrammarSyntaxException($"the grammar has no '{root}' rule to start from", 1, 1);
        }

        foreach (var rule in rules)
        {
            var id = program._ids[rule.Name];
            program._ruleBodies[id] = program.CompileChoice(rule.Body, rule);
        }

        program.Root = rootId;
        program.Flatten();
        program.CheckLeftRecursion();
        return program;
    }

    private List<List<(ElementType, int)>> CompileChoice(GbnfChoice choice, GbnfRule origin)
    {
        var alternatives = new List<List<(ElementType, int)>>(choice.Alternatives.Count);
        foreach (var sequence in choice.Alternatives)
        {
            var elements = new List<(ElementType, int)>();
            foreach (var node in sequence)
            {
                Emit(node, elements, origin);
            }

            alternatives.Add(elements);
        }

        return alternatives;
    }

    private void Emit(GbnfNode node, List<(ElementType, int)> into, GbnfRule origin)
    {
        switch (node)
        {
            case GbnfLiteral literal:
                foreach (var cp in literal.CodePoints)
                {
                    into.Add((ElementType.Char, cp));
                }

                break;
            case GbnfAny:
                into.Add((ElementType.CharAny, 0));
                break;
            case GbnfClass { Negated: true, Ranges.Length: 0 }:
                into.Add((ElementType.CharAny, 0));
                break;
            case GbnfClass cls:
                for (var i = 0; i < cls.Ranges.Length; i++)
                {
                    var (low, high) = cls.Ranges[i];
                    into.Add((i > 0 ? ElementType.CharAlt : cls.Negated ? ElementType.CharNot : ElementType.Char, low));
                    if (high != low)
                    {
                        into.Add((ElementType.CharRangeUpper, high));
                    }
                }

                break;
            case GbnfRef reference:
                into.Add((ElementType.RuleRef, _ids.TryGetValue(reference.Name, out var id)
                    ? id
                    : throw new GrammarSyntaxException($"rule '{reference.Name}' is not defined", reference.Line, reference.Column)));
                break;
            case GbnfChoice group:
                into.Add((ElementType.RuleRef, AddRule(CompileChoice(group, origin), origin)));
                break;
            case GbnfRepeat repeat:
                EmitRepeat(repeat, into, origin);
                break;
        }
    }

    private void EmitRepeat(GbnfRepeat repeat, List<(ElementType, int)> into, GbnfRule origin)
    {
        // The item once, as elements; a group or a longer literal becomes one rule so that copies share it.
        var item = new List<(ElementType, int)>();
        Emit(repeat.Item, item, origin);
        if (repeat.Item is GbnfChoice || (repeat.Item is GbnfLiteral { CodePoints.Length: > 1 } && (repeat.Max is null || repeat.Max > 1)))
        {
            item = [(ElementType.RuleRef, AddRule([item], origin))];
        }

        for (var i = 0; i < repeat.Min; i++)
        {
            into.AddRange(item);
        }

        if (repeat.Max is null)
        {
            // star ::= item star | ε
            var star = AddRule([], origin);
            _ruleBodies[star] = [[.. item, (ElementType.RuleRef, star)], []];
            into.Add((ElementType.RuleRef, star));
            return;
        }

        // Up to (max - min) more, nested: opt1 ::= item | ε, optN ::= item opt(N-1) | ε.
        var optional = -1;
        for (var k = 0; k < repeat.Max.Value - repeat.Min; k++)
        {
            List<(ElementType, int)> more = optional < 0 ? [.. item] : [.. item, (ElementType.RuleRef, optional)];
            optional = AddRule([more, []], origin);
        }

        if (optional >= 0)
        {
            into.Add((ElementType.RuleRef, optional));
        }
    }

    private int AddRule(List<List<(ElementType, int)>> body, GbnfRule origin)
    {
        _ruleBodies.Add(body);
        _origins.Add(origin);
        return _ruleBodies.Count - 1;
    }

    private void Flatten()
    {
        Alternatives = new int[_ruleBodies.Count][];
        for (var rule = 0; rule < _ruleBodies.Count; rule++)
        {
            var body = _ruleBodies[rule];
            var starts = new int[body.Count];
            for (var a = 0; a < body.Count; a++)
            {
                starts[a] = _types.Count;
                foreach (var (type, value) in body[a])
                {
                    _types.Add(type);
                    _values.Add(value);
                }

                _types.Add(a == body.Count - 1 ? ElementType.End : ElementType.Alt);
                _values.Add(0);
            }

            Alternatives[rule] = starts;
        }

        Types = [.. _types];
        Values = [.. _values];
    }

    public bool IsEndOfSequence(int pos) => Types[pos] is ElementType.End or ElementType.Alt;

    private void CheckLeftRecursion()
    {
        var count = _ruleBodies.Count;
        var nullable = new bool[count];
        for (var changed = true; changed;)
        {
            changed = false;
            for (var rule = 0; rule < count; rule++)
            {
                if (!nullable[rule] && _ruleBodies[rule].Any(alt => alt.All(e => e.Item1 == ElementType.RuleRef && nullable[e.Item2])))
                {
                    nullable[rule] = changed = true;
                }
            }
        }

        // 0 unvisited, 1 on the path, 2 done.
        var state = new byte[count];
        for (var rule = 0; rule < count; rule++)
        {
            Visit(rule);
        }

        void Visit(int rule)
        {
            if (state[rule] == 2)
            {
                return;
            }

            if (state[rule] == 1)
            {
                var origin = _origins[rule];
                throw new GrammarSyntaxException($"rule '{origin.Name}' is left-recursive: it can reach itself before reading a character", origin.Line, origin.Column);
            }

            state[rule] = 1;
            foreach (var alternative in _ruleBodies[rule])
            {
                foreach (var (type, value) in alternative)
                {
                    if (type != ElementType.RuleRef)
                    {
                        break;
                    }

                    Visit(value);
                    if (!nullable[value])
                    {
                        break;
                    }
                }
            }

            state[rule] = 2;
        }
    }
}

internal enum ElementType : byte
{
    End,
    Alt,
    RuleRef,
    Char,
    CharNot,
    CharRangeUpper,
    CharAlt,
    CharAny,
}
