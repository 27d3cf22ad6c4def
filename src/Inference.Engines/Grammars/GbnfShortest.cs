using System.Text;

namespace Inference.Engines.Grammars;

/// <summary>
/// The shortest string a GBNF rule matches: each rule's shortest string is found by relaxing every rule until none
/// gets shorter (a rule that only recurses never gets one), choosing for a character class its first allowed
/// character. What a model must write at the least to satisfy a grammar, to check that a prompt leaves room for it.
/// </summary>
internal static class GbnfShortest
{
    /// <summary>The shortest string <paramref name="rule"/> matches, or null when it matches none (or is not defined).</summary>
    public static string? Of(IReadOnlyList<GbnfRule> rules, string rule)
    {
        var byName = rules.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var shortest = new Dictionary<string, string>(StringComparer.Ordinal);
        bool changed;
        do
        {
            changed = false;
            foreach (var r in rules)
            {
                if (Choice(r.Body, shortest) is { } found && (!shortest.TryGetValue(r.Name, out var known) || found.Length < known.Length))
                {
                    shortest[r.Name] = found;
                    changed = true;
                }
            }
        }
        while (changed);

        return byName.ContainsKey(rule) ? shortest.GetValueOrDefault(rule) : null;
    }

    private static string? Choice(GbnfChoice choice, Dictionary<string, string> shortest)
    {
        string? best = null;
        foreach (var alternative in choice.Alternatives)
        {
            if (Sequence(alternative, shortest) is { } found && (best is null || found.Length < best.Length))
            {
                best = found;
            }
        }

        return best;
    }

    private static string? Sequence(IReadOnlyList<GbnfNode> nodes, Dictionary<string, string> shortest)
    {
        var text = new StringBuilder();
        foreach (var node in nodes)
        {
            if (Node(node, shortest) is not { } piece)
            {
                return null;
            }

            text.Append(piece);
        }

        return text.ToString();
    }

    private static string? Node(GbnfNode node, Dictionary<string, string> shortest) => node switch
    {
        GbnfLiteral literal => string.Concat(literal.CodePoints.Select(char.ConvertFromUtf32)),
        GbnfClass @class => FirstAllowed(@class) is int code ? char.ConvertFromUtf32(code) : null,
        GbnfAny => "a",
        GbnfRef reference => shortest.GetValueOrDefault(reference.Name),
        GbnfChoice group => Choice(group, shortest),
        GbnfRepeat repeat => repeat.Min == 0 ? "" : Node(repeat.Item, shortest) is { } item ? string.Concat(Enumerable.Repeat(item, repeat.Min)) : null,
        _ => null,
    };

    /// <summary>A character the class allows: its first range's first character, or for a negated class the first printable one it leaves out.</summary>
    private static int? FirstAllowed(GbnfClass @class)
    {
        if (!@class.Negated)
        {
            return @class.Ranges.Length > 0 ? @class.Ranges[0].Low : null;
        }

        for (var code = 'a'; code <= 'z'; code++)
        {
            if (!@class.Ranges.Any(r => code >= r.Low && code <= r.High))
            {
                return code;
            }
        }

        for (var code = 0x20; code < 0x10000; code++)
        {
            if (!@class.Ranges.Any(r => code >= r.Low && code <= r.High))
            {
                return code;
            }
        }

        return null;
    }
}
