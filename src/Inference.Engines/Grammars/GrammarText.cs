using System.Globalization;
using System.Text;

namespace Inference.Engines.Grammars;

/// <summary>Positions in a grammar's text, and GBNF's quoting of characters.</summary>
internal static class GrammarText
{
    public static (int Line, int Column) Position(string text, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < Math.Min(offset, text.Length); i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }

    /// <summary>A code point as GBNF writes it inside a literal or a class; <paramref name="special"/> are escaped too.</summary>
    public static void AppendChar(StringBuilder builder, int cp, string special)
    {
        switch (cp)
        {
            case '\n': builder.Append("\\n"); return;
            case '\r': builder.Append("\\r"); return;
            case '\t': builder.Append("\\t"); return;
            case '\\': builder.Append("\\\\"); return;
        }

        if (cp < 0x20 || cp == 0x7F)
        {
            builder.Append("\\x").Append(cp.ToString("X2", CultureInfo.InvariantCulture));
        }
        else if (cp < 0x80 && special.Contains((char)cp, StringComparison.Ordinal))
        {
            // As hex, which every GBNF reader takes, rather than escapes some readers lack (\- and \^ in a class).
            builder.Append(cp == '"' && special == "\"" ? "\\\"" : "\\x" + cp.ToString("X2", CultureInfo.InvariantCulture));
        }
        else if (cp < 0x80)
        {
            builder.Append((char)cp);
        }
        else if (cp <= 0xFFFF)
        {
            builder.Append("\\u").Append(cp.ToString("X4", CultureInfo.InvariantCulture));
        }
        else
        {
            builder.Append("\\U").Append(cp.ToString("X8", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A GBNF literal for <paramref name="text"/>, quotes included.</summary>
    public static string Literal(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var rune in text.EnumerateRunes())
        {
            AppendChar(builder, rune.Value, "\"");
        }

        return builder.Append('"').ToString();
    }

    /// <summary>
    /// A GBNF expression for text that does not contain <paramref name="marker"/> (whose first character occurs in it
    /// once, as in closing tags): the text a reasoning block may hold before its closing tag. Text ending in a
    /// beginning of the marker is not matched, so the marker itself is what ends it.
    /// </summary>
    public static string Excluding(string marker)
    {
        ArgumentException.ThrowIfNullOrEmpty(marker);
        var first = marker[0];
        if (marker.IndexOf(first, 1) >= 0)
        {
            throw new ArgumentException("The marker's first character must occur in it once.", nameof(marker));
        }

        // After the first character and then k more of the marker, the next one is either the marker's next (go on)
        // or anything else but the first character (the marker did not come): nested, innermost last.
        var tail = new StringBuilder();
        for (var k = 1; k < marker.Length; k++)
        {
            tail.Append('(').Append(Class(marker[k], first));
            if (k < marker.Length - 1)
            {
                tail.Append(" | ").Append(Literal(marker[k].ToString()));
            }

            tail.Append(k < marker.Length - 1 ? " " : "");
        }

        tail.Append(')', marker.Length - 1);
        return $"([^{ClassChar(first)}] | {Literal(first.ToString())}+ {tail})*";
    }

    private static string Class(char a, char b) => $"[^{ClassChar(a)}{ClassChar(b)}]";

    private static string ClassChar(char c)
    {
        var builder = new StringBuilder();
        AppendChar(builder, c, "]^-[\\");
        return builder.ToString();
    }
}
