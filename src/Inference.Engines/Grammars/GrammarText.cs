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
}
