using System.Collections;
using System.Globalization;
using System.Text;

namespace Inference.Engines.Templates.Jinja;

/// <summary>Jinja2's built-in filters and tests that chat templates use, with transformers' <c>tojson</c>.</summary>
internal static class JinjaFilters
{
    public static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        var previousLetter = false;
        foreach (var c in s)
        {
            builder.Append(previousLetter ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousLetter = char.IsLetter(c) || c == '\'';
        }

        return builder.ToString();
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>Jinja2's indent: every line but the first (unless <paramref name="first"/>) gets the indentation; blank lines only with <paramref name="blank"/>.</summary>
    public static string Indent(string s, string indentation, bool first, bool blank)
    {
        s += "\n";
        var lines = SplitLines(s);
        string result;
        if (blank)
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            result = lines[0];
            if (lines.Count > 1)
            {
                result += "\n" + string.Join("\n", lines.Skip(1).Select(l => l.Length > 0 ? indentation + l : l));
            }
        }

        return first ? indentation + result : result;
    }

    /// <summary>Python's str.splitlines: on \n, \r\n and \r, with no empty last line for a trailing break.</summary>
    public static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] is '\n' or '\r')
            {
                lines.Add(s[start..i]);
                if (s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        if (start < s.Length)
        {
            lines.Add(s[start..]);
        }

        return lines;
    }

    public static bool Test(string name, object? value, IReadOnlyList<object?> args)
    {
        object? Arg() => args.Count > 0 ? args[0] : throw new JinjaException($"the test '{name}' needs an argument");
        return name switch
        {
            "defined" => value is not JinjaUndefined,
            "undefined" => value is JinjaUndefined,
            "none" => value is null,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "integer" => value is long,
            "float" => value is double,
            "number" => value is long or double or bool,
            "string" => value is string,
            "mapping" => value is JinjaDict,
            "iterable" => value is string or IList or JinjaDict or JinjaUndefined,
            "sequence" => value is string or IList or JinjaDict,
            "callable" => value is JinjaCallable,
            "sameas" => ReferenceEquals(value, Arg()) || (value is null && Arg() is null) || (value is bool b && Arg() is bool c && b == c),
            "equalto" or "eq" or "==" => Py.Equals(value, Arg()),
            "ne" or "!=" => !Py.Equals(value, Arg()),
            "lt" or "lessthan" or "<" => Py.Compare(value, Arg()) < 0,
            "le" or "<=" => Py.Compare(value, Arg()) <= 0,
            "gt" or "greaterthan" or ">" => Py.Compare(value, Arg()) > 0,
            "ge" or ">=" => Py.Compare(value, Arg()) >= 0,
            "in" => Arg() switch
            {
                string s => value is string t && s.Contains(t, StringComparison.Ordinal),
                JinjaDict d => value is not null && d.ContainsKey(value),
                IList l => l.Cast<object?>().Any(x => Py.Equals(x, value)),
                _ => false,
            },
            "odd" => value is long l && (l % 2 != 0),
            "even" => value is long e && e % 2 == 0,
            "divisibleby" => value is long n && Arg() is long d && d != 0 && n % d == 0,
            "lower" => value is string lower && lower == lower.ToLowerInvariant(),
            "upper" => value is string upper && upper == upper.ToUpperInvariant(),
            _ => throw new JinjaException($"no test named '{name}'"),
        };
    }

    public static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&#34;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);

    public static object? Round(object? value, long precision, string method)
    {
        var number = Py.ToDouble(value);
        var factor = Math.Pow(10, precision);
        var rounded = method switch
        {
            "ceil" => Math.Ceiling(number * factor) / factor,
            "floor" => Math.Floor(number * factor) / factor,
            _ => Math.Round(number, (int)Math.Clamp(precision, 0, 15), MidpointRounding.ToEven), // Python's round
        };
        return rounded;
    }

    public static object? ToInt(object? value, object? fallback) => value switch
    {
        long l => l,
        bool b => b ? 1L : 0L,
        double d => (long)Math.Truncate(d),
        string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => (long)Math.Truncate(parsed),
        _ => fallback ?? 0L,
    };

    public static object? ToFloat(object? value, object? fallback) => value switch
    {
        long l => (double)l,
        bool b => b ? 1.0 : 0.0,
        double d => d,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => fallback ?? 0.0,
    };

    /// <summary>The key a sort or unique compares by: strings lower-cased unless case matters.</summary>
    public static object? SortKey(object? value, bool caseSensitive) => !caseSensitive && value is string s ? s.ToLowerInvariant() : value;
}
