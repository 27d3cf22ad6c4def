using System.Globalization;
using System.Text;

namespace Inference.Engines.Grammars;

/// <summary>Writes parsed rules back as canonical GBNF: one rule per line, the start rule renamed <c>root</c>.</summary>
internal static class GbnfWriter
{
    public static string Write(IReadOnlyList<GbnfRule> rules, string root)
    {
        // Renaming the start rule to 'root' needs the name 'root' free; an existing one moves aside.
        var rename = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root != "root")
        {
            rename[root] = "root";
            if (rules.Any(r => r.Name == "root"))
            {
                var aside = "root-0";
                for (var i = 1; rules.Any(r => r.Name == aside); i++)
                {
                    aside = "root-" + i.ToString(CultureInfo.InvariantCulture);
                }

                rename["root"] = aside;
            }
        }

        var builder = new StringBuilder();
        foreach (var rule in rules.OrderBy(r => r.Name == root ? 0 : 1))
        {
            builder.Append(Name(rule.Name, rename)).Append(" ::= ");
            WriteChoice(builder, rule.Body, rename);
            builder.Append('\n');
        }

        return builder.ToString();
    }

    private static string Name(string name, Dictionary<string, string> rename) => rename.GetValueOrDefault(name, name);

    private static void WriteChoice(StringBuilder builder, GbnfChoice choice, Dictionary<string, string> rename)
    {
        for (var a = 0; a < choice.Alternatives.Count; a++)
        {
            if (a > 0)
            {
                builder.Append(" | ");
            }

            var sequence = choice.Alternatives[a];
            if (sequence.Count == 0)
            {
                builder.Append("\"\"");
            }

            for (var i = 0; i < sequence.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(' ');
                }

                WriteNode(builder, sequence[i], rename);
            }
        }
    }

    private static void WriteNode(StringBuilder builder, GbnfNode node, Dictionary<string, string> rename)
    {
        switch (node)
        {
            case GbnfLiteral literal:
                builder.Append('"');
                foreach (var cp in literal.CodePoints)
                {
                    GrammarText.AppendChar(builder, cp, "\"");
                }

                builder.Append('"');
                break;
            case GbnfClass cls:
                builder.Append(cls.Negated ? "[^" : "[");
                foreach (var (low, high) in cls.Ranges)
                {
                    GrammarText.AppendChar(builder, low, "]-^[\"");
                    if (high != low)
                    {
                        builder.Append('-');
                        GrammarText.AppendChar(builder, high, "]-^[\"");
                    }
                }

                builder.Append(']');
                break;
            case GbnfAny:
                builder.Append('.');
                break;
            case GbnfRef reference:
                builder.Append(Name(reference.Name, rename));
                break;
            case GbnfChoice group:
                builder.Append('(');
                WriteChoice(builder, group, rename);
                builder.Append(')');
                break;
            case GbnfRepeat repeat:
                var item = repeat.Item is GbnfRepeat ? new GbnfChoice([[repeat.Item]]) : repeat.Item;
                WriteNode(builder, item, rename);
                builder.Append((repeat.Min, repeat.Max) switch
                {
                    (0, null) => "*",
                    (1, null) => "+",
                    (0, 1) => "?",
                    (var min, null) => $"{{{min},}}",
                    (var min, var max) when min == max => $"{{{min}}}",
                    (var min, var max) => $"{{{min},{max}}}",
                });
                break;
        }
    }
}
