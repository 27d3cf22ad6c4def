using System.Collections;
using System.Globalization;
using System.Text;

namespace Inference.Engines.Templates.Jinja;

/// <summary>
/// Values written as Python writes them, which is what a chat template's reference rendering holds: <c>str()</c> (what
/// <c>{{ x }}</c> prints), <c>repr()</c> (inside lists and dicts), and <c>json.dumps(ensure_ascii=False)</c> (what
/// transformers' <c>tojson</c> filter calls).
/// </summary>
internal static class PythonText
{
    public static string Str(object? value) => value switch
    {
        null => "None",
        JinjaUndefined => "",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Float(d),
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        WriteRepr(builder, value);
        return builder.ToString();
    }

    private static void WriteRepr(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case string s:
                WriteStringRepr(builder, s);
                break;
            case JinjaTuple tuple:
                builder.Append('(');
                for (var i = 0; i < tuple.Count; i++)
                {
                    builder.Append(i > 0 ? ", " : "");
                    WriteRepr(builder, tuple[i]);
                }

                builder.Append(tuple.Count == 1 ? ",)" : ")");
                break;
            case IList list:
                builder.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    builder.Append(i > 0 ? ", " : "");
                    WriteRepr(builder, list[i]);
                }

                builder.Append(']');
                break;
            case JinjaDict dict:
                builder.Append('{');
                var first = true;
                foreach (var (key, item) in dict)
                {
                    builder.Append(first ? "" : ", ");
                    first = false;
                    WriteRepr(builder, key);
                    builder.Append(": ");
                    WriteRepr(builder, item);
                }

                builder.Append('}');
                break;
            case JinjaNamespace ns:
                builder.Append("<Namespace ").Append(string.Join(", ", ns.Attributes.Select(a => $"{a.Key}={Repr(a.Value)}"))).Append('>');
                break;
            case JinjaCallable callable:
                builder.Append("<function ").Append(callable.Name).Append('>');
                break;
            default:
                builder.Append(value is JinjaUndefined ? "Undefined" : Str(value));
                break;
        }
    }

    /// <summary>Python's repr of a string: single quotes unless it holds one and no double quote; escapes for the unprintable.</summary>
    private static void WriteStringRepr(StringBuilder builder, string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var rune in s.EnumerateRunes())
        {
            var c = rune.Value;
            switch (c)
            {
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(quote);
                    }
                    else if (c < 0x20 || c == 0x7f)
                    {
                        builder.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (!Printable(rune))
                    {
                        builder.Append(c <= 0xff ? "\\x" + c.ToString("x2", CultureInfo.InvariantCulture)
                            : c <= 0xffff ? "\\u" + c.ToString("x4", CultureInfo.InvariantCulture)
                            : "\\U" + c.ToString("x8", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }

                    break;
            }
        }

        builder.Append(quote);
    }

    /// <summary>Python's str.isprintable for one character: not a control, format, separator (but space) or unassigned one.</summary>
    private static bool Printable(Rune rune) => rune.Value == ' ' || Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.SpaceSeparator => false,
        _ => true,
    };

    /// <summary>
    /// Python's repr of a float: the shortest digits that read back to it, in positional notation when its decimal
    /// exponent is between -4 and 15 (always with a fractional part), else as <c>1e-05</c> / <c>1.5e+16</c>.
    /// </summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0.0" : "0.0";
        }

        // "R" gives the shortest round-tripping digits, in .NET's own notation: take its digits and exponent.
        var (digits, exponent) = Decompose(Math.Abs(d).ToString("R", CultureInfo.InvariantCulture));
        var sign = d < 0 ? "-" : "";
        if (exponent is >= -4 and < 16)
        {
            string text;
            if (exponent >= digits.Length - 1)
            {
                text = digits + new string('0', exponent - digits.Length + 1) + ".0";
            }
            else if (exponent >= 0)
            {
                text = digits[..(exponent + 1)] + "." + digits[(exponent + 1)..];
            }
            else
            {
                text = "0." + new string('0', -exponent - 1) + digits;
            }

            return sign + text;
        }

        var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>The significant digits (no leading or trailing zeros) and decimal exponent of a number .NET wrote.</summary>
    private static (string Digits, int Exponent) Decompose(string text)
    {
        var e = text.IndexOfAny(['E', 'e']);
        var exponent = 0;
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var integer = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..];
        var all = integer + fraction;
        var leading = all.Length - all.TrimStart('0').Length;
        var digits = all.Trim('0');
        // The first significant digit's position: integer.Length - 1 - leading, shifted by the written exponent.
        return (digits.Length == 0 ? "0" : digits, integer.Length - 1 - leading + exponent);
    }

    /// <summary>Python's <c>json.dumps(value, ensure_ascii=False, indent=..., separators=..., sort_keys=...)</c>.</summary>
    public static string Json(object? value, string? indent = null, string? itemSeparator = null, string? keySeparator = null, bool sortKeys = false, bool ensureAscii = false)
    {
        var builder = new StringBuilder();
        WriteJson(builder, value, indent, itemSeparator ?? (indent is null ? ", " : ","), keySeparator ?? ": ", sortKeys, ensureAscii, 0);
        return builder.ToString();
    }

    private static void WriteJson(StringBuilder builder, object? value, string? indent, string items, string keys, bool sortKeys, bool ascii, int level)
    {
        switch (value)
        {
            case null or JinjaUndefined:
                builder.Append("null");
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : Float(d));
                break;
            case string s:
                WriteJsonString(builder, s, ascii);
                break;
            case IList list:
                if (list.Count == 0)
                {
                    builder.Append("[]");
                    break;
                }

                builder.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    builder.Append(i > 0 ? items : "");
                    NewLine(builder, indent, level + 1);
                    WriteJson(builder, list[i], indent, items, keys, sortKeys, ascii, level + 1);
                }

                NewLine(builder, indent, level);
                builder.Append(']');
                break;
            case JinjaDict dict:
                if (dict.Count == 0)
                {
                    builder.Append("{}");
                    break;
                }

                builder.Append('{');
                var entries = sortKeys ? dict.OrderBy(e => Str(e.Key), StringComparer.Ordinal).ToList() : dict.ToList();
                for (var i = 0; i < entries.Count; i++)
                {
                    builder.Append(i > 0 ? items : "");
                    NewLine(builder, indent, level + 1);
                    var key = entries[i].Key switch
                    {
                        string s => s,
                        bool b => b ? "true" : "false",
                        double d => Float(d),
                        var other => Str(other),
                    };
                    WriteJsonString(builder, key, ascii);
                    builder.Append(keys);
                    WriteJson(builder, entries[i].Value, indent, items, keys, sortKeys, ascii, level + 1);
                }

                NewLine(builder, indent, level);
                builder.Append('}');
                break;
            case JinjaNamespace or JinjaCallable:
                throw new JinjaException($"Object of type {Py.TypeName(value)} is not JSON serializable");
            default:
                WriteJsonString(builder, Str(value), ascii);
                break;
        }
    }

    private static void NewLine(StringBuilder builder, string? indent, int level)
    {
        if (indent is null)
        {
            return;
        }

        builder.Append('\n');
        for (var i = 0; i < level; i++)
        {
            builder.Append(indent);
        }
    }

    private static void WriteJsonString(StringBuilder builder, string s, bool ascii)
    {
        builder.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                default:
                    if (c < 0x20 || (ascii && c > 0x7e))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
