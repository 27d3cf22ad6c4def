using System.Collections;
using System.Globalization;
using System.Text;

namespace Inference.Engines.Templates.Jinja;

/// <summary>Attributes, items, slices and the methods of strings, dicts and lists, as Python has them.</summary>
internal sealed partial class JinjaRenderer
{
    /// <summary><c>x.name</c>: a method or attribute first, then the item of that name (Jinja's getattr).</summary>
    private static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw new JinjaException(undefined.Message);
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : JinjaUndefined.MissingAttribute(ns, name);
            case JinjaLoop loop:
                return loop.Get(name);
            case string s:
                return (object?)StringMethod(s, name) ?? JinjaUndefined.MissingAttribute(s, name);
            case JinjaDict d:
                return (object?)DictMethod(d, name) ?? (d.TryGetValue(name, out var item) ? item : JinjaUndefined.MissingAttribute(d, name));
            case IList l:
                return (object?)ListMethod(l, name) ?? JinjaUndefined.MissingAttribute(l, name);
            default:
                return JinjaUndefined.MissingAttribute(target, name);
        }
    }

    /// <summary><c>x[key]</c>: the item first, then an attribute of that name (Jinja's getitem).</summary>
    private static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw new JinjaException(undefined.Message);
            case JinjaDict d:
                return key is not null && d.TryGetValue(key, out var value) ? value : key is string name ? GetAttribute(d, name) : JinjaUndefined.MissingElement(d, key);
            case IList l when key is long or bool:
                var index = key is bool b ? (b ? 1 : 0) : (long)key;
                index = index < 0 ? l.Count + index : index;
                return index >= 0 && index < l.Count ? l[(int)index] : JinjaUndefined.MissingElement(l, key);
            case string s when key is long position:
                var characters = Py.Iterate(s);
                position = position < 0 ? characters.Count + position : position;
                return position >= 0 && position < characters.Count ? characters[(int)position] : JinjaUndefined.MissingElement(s, key);
            case JinjaNamespace or JinjaLoop or string or IList when key is string attribute:
                return GetAttribute(target, attribute);
            default:
                return JinjaUndefined.MissingElement(target, key);
        }
    }

    /// <summary>Python's slice of a list or string, with negative indices and steps.</summary>
    private static object? Slice(object? target, long? start, long? stop, long? step)
    {
        var items = target switch
        {
            string s => Py.Iterate(s),
            IList l => l.Cast<object?>().ToList(),
            JinjaUndefined u => throw new JinjaException(u.Message),
            _ => throw new JinjaException($"'{Py.TypeName(target)}' object is not subscriptable"),
        };
        var n = items.Count;
        var by = step ?? 1;
        if (by == 0)
        {
            throw new JinjaException("slice step cannot be zero");
        }

        static long Clamp(long value, long low, long high) => Math.Max(low, Math.Min(high, value));
        long from, to;
        if (by > 0)
        {
            from = start is { } a ? Clamp(a < 0 ? a + n : a, 0, n) : 0;
            to = stop is { } b ? Clamp(b < 0 ? b + n : b, 0, n) : n;
        }
        else
        {
            from = start is { } a ? Clamp(a < 0 ? a + n : a, -1, n - 1) : n - 1;
            to = stop is { } b ? Clamp(b < 0 ? b + n : b, -1, n - 1) : -1;
        }

        var picked = new List<object?>();
        for (var i = from; by > 0 ? i < to : i > to; i += by)
        {
            picked.Add(items[(int)i]);
        }

        return target switch
        {
            string => string.Concat(picked.Cast<string>()),
            JinjaTuple => new JinjaTuple(picked),
            _ => picked,
        };
    }

    private static JinjaCallable Method(string name, Func<IReadOnlyList<object?>, IReadOnlyDictionary<string, object?>, object?> call) => new(name, call);

    private static string Arg(IReadOnlyList<object?> args, int index, string method) =>
        index < args.Count && args[index] is string s ? s : throw new JinjaException($"{method}() needs a string argument");

    private static JinjaCallable? StringMethod(string s, string name) => name switch
    {
        "strip" => Method(name, (a, _) => a.Count > 0 && a[0] is string chars ? s.Trim(chars.ToCharArray()) : s.Trim()),
        "lstrip" => Method(name, (a, _) => a.Count > 0 && a[0] is string chars ? s.TrimStart(chars.ToCharArray()) : s.TrimStart()),
        "rstrip" => Method(name, (a, _) => a.Count > 0 && a[0] is string chars ? s.TrimEnd(chars.ToCharArray()) : s.TrimEnd()),
        "upper" => Method(name, (_, _) => s.ToUpperInvariant()),
        "lower" => Method(name, (_, _) => s.ToLowerInvariant()),
        "title" => Method(name, (_, _) => JinjaFilters.Title(s)),
        "capitalize" => Method(name, (_, _) => JinjaFilters.Capitalize(s)),
        "startswith" => Method(name, (a, _) => a.Count > 0 && a[0] is IList options
            ? options.Cast<object?>().Any(o => o is string p && s.StartsWith(p, StringComparison.Ordinal))
            : s.StartsWith(Arg(a, 0, name), StringComparison.Ordinal)),
        "endswith" => Method(name, (a, _) => a.Count > 0 && a[0] is IList options
            ? options.Cast<object?>().Any(o => o is string p && s.EndsWith(p, StringComparison.Ordinal))
            : s.EndsWith(Arg(a, 0, name), StringComparison.Ordinal)),
        "split" => Method(name, (a, kw) => Split(s, a.Count > 0 ? a[0] as string : kw.GetValueOrDefault("sep") as string, a.Count > 1 ? (long)a[1]! : kw.GetValueOrDefault("maxsplit") as long? ?? -1)),
        "rsplit" => Method(name, (a, kw) => RightSplit(s, a.Count > 0 ? a[0] as string : kw.GetValueOrDefault("sep") as string, a.Count > 1 ? (long)a[1]! : kw.GetValueOrDefault("maxsplit") as long? ?? -1)),
        "splitlines" => Method(name, (_, _) => JinjaFilters.SplitLines(s).Cast<object?>().ToList()),
        "replace" => Method(name, (a, _) => a.Count > 2 && a[2] is long count
            ? ReplaceCount(s, Arg(a, 0, name), Arg(a, 1, name), count)
            : Arg(a, 0, name).Length == 0 ? ReplaceCount(s, "", Arg(a, 1, name), -1) : s.Replace(Arg(a, 0, name), Arg(a, 1, name), StringComparison.Ordinal)),
        "find" => Method(name, (a, _) => (long)s.IndexOf(Arg(a, 0, name), StringComparison.Ordinal)),
        "rfind" => Method(name, (a, _) => (long)s.LastIndexOf(Arg(a, 0, name), StringComparison.Ordinal)),
        "count" => Method(name, (a, _) => (long)CountOf(s, Arg(a, 0, name))),
        "join" => Method(name, (a, _) => string.Join(s, Py.Iterate(a.Count > 0 ? a[0] : null).Select(PythonText.Str))),
        "format" => Method(name, (a, kw) => BraceFormat(s, a, kw)),
        "isdigit" => Method(name, (_, _) => s.Length > 0 && s.All(char.IsDigit)),
        "isalpha" => Method(name, (_, _) => s.Length > 0 && s.All(char.IsLetter)),
        "isspace" => Method(name, (_, _) => s.Length > 0 && s.All(char.IsWhiteSpace)),
        "isupper" => Method(name, (_, _) => s.Any(char.IsLetter) && !s.Any(char.IsLower)),
        "islower" => Method(name, (_, _) => s.Any(char.IsLetter) && !s.Any(char.IsUpper)),
        "removeprefix" => Method(name, (a, _) => s.StartsWith(Arg(a, 0, name), StringComparison.Ordinal) ? s[Arg(a, 0, name).Length..] : s),
        "removesuffix" => Method(name, (a, _) => Arg(a, 0, name).Length > 0 && s.EndsWith(Arg(a, 0, name), StringComparison.Ordinal) ? s[..^Arg(a, 0, name).Length] : s),
        _ => null,
    };

    private static string ReplaceCount(string s, string old, string replacement, long count)
    {
        if (old.Length == 0)
        {
            // Python inserts the replacement between every character (and at both ends).
            var parts = Py.Iterate(s).Cast<string>().ToList();
            var builder = new StringBuilder(replacement);
            foreach (var part in parts)
            {
                builder.Append(part).Append(replacement);
            }

            return builder.ToString();
        }

        var result = new StringBuilder();
        var at = 0;
        for (var done = 0L; count < 0 || done < count; done++)
        {
            var found = s.IndexOf(old, at, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            result.Append(s, at, found - at).Append(replacement);
            at = found + old.Length;
        }

        return result.Append(s, at, s.Length - at).ToString();
    }

    private static int CountOf(string s, string part)
    {
        if (part.Length == 0)
        {
            return (int)Py.Length(s) + 1;
        }

        var count = 0;
        for (var at = s.IndexOf(part, StringComparison.Ordinal); at >= 0; at = s.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Python's str.split: on runs of whitespace with no separator (dropping empty ends), else on the separator.</summary>
    internal static List<object?> Split(string s, string? separator, long maxSplit)
    {
        if (separator is null)
        {
            var words = new List<object?>();
            var i = 0;
            while (i < s.Length)
            {
                while (i < s.Length && char.IsWhiteSpace(s[i]))
                {
                    i++;
                }

                if (i >= s.Length)
                {
                    break;
                }

                if (maxSplit >= 0 && words.Count == maxSplit)
                {
                    words.Add(s[i..].TrimEnd());
                    break;
                }

                var start = i;
                while (i < s.Length && !char.IsWhiteSpace(s[i]))
                {
                    i++;
                }

                words.Add(s[start..i]);
            }

            return words;
        }

        if (separator.Length == 0)
        {
            throw new JinjaException("empty separator");
        }

        var pieces = maxSplit < 0 ? s.Split(separator) : s.Split(separator, (int)maxSplit + 1);
        return [.. pieces];
    }

    private static List<object?> RightSplit(string s, string? separator, long maxSplit)
    {
        if (maxSplit < 0 || separator is null)
        {
            return Split(s, separator, maxSplit);
        }

        var pieces = new List<object?>();
        var end = s.Length;
        while (pieces.Count < maxSplit)
        {
            var at = s.LastIndexOf(separator, end - 1 < 0 ? 0 : end - 1, StringComparison.Ordinal);
            if (at < 0 || end == 0)
            {
                break;
            }

            pieces.Insert(0, s[(at + separator.Length)..end]);
            end = at;
        }

        pieces.Insert(0, s[..end]);
        return pieces;
    }

    /// <summary>Python's str.format for positional and named <c>{}</c> fields (no format specs beyond none).</summary>
    private static string BraceFormat(string format, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs)
    {
        var output = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{' && i + 1 < format.Length && format[i + 1] == '{')
            {
                output.Append('{');
                i++;
                continue;
            }

            if (c == '}' && i + 1 < format.Length && format[i + 1] == '}')
            {
                output.Append('}');
                i++;
                continue;
            }

            if (c != '{')
            {
                output.Append(c);
                continue;
            }

            var close = format.IndexOf('}', i);
            var field = format[(i + 1)..close];
            object? value = field.Length == 0 ? args[next++]
                : long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var position) ? args[(int)position]
                : kwargs.TryGetValue(field, out var named) ? named : throw new JinjaException($"format: no value for '{field}'");
            output.Append(PythonText.Str(value));
            i = close;
        }

        return output.ToString();
    }

    private static JinjaCallable? DictMethod(JinjaDict d, string name) => name switch
    {
        "items" => Method(name, (_, _) => d.Select(e => (object?)new JinjaTuple([e.Key, e.Value])).ToList()),
        "keys" => Method(name, (_, _) => d.Keys.Cast<object?>().ToList()),
        "values" => Method(name, (_, _) => d.Values.ToList()),
        "get" => Method(name, (a, _) => a.Count > 0 && a[0] is { } key && d.TryGetValue(key, out var value) ? value : a.Count > 1 ? a[1] : null),
        "copy" => Method(name, (_, _) =>
        {
            var copy = new JinjaDict();
            foreach (var (key, value) in d)
            {
                copy[key] = value;
            }

            return copy;
        }),
        "update" or "pop" or "setdefault" or "clear" or "popitem" => Method(name, (_, _) => throw new JinjaException($"access to attribute '{name}' of 'dict' object is unsafe.")),
        _ => null,
    };

    private static JinjaCallable? ListMethod(IList l, string name) => name switch
    {
        "index" => Method(name, (a, _) => (long)l.Cast<object?>().ToList().FindIndex(x => Py.Equals(x, a.Count > 0 ? a[0] : null)) is var i && i >= 0 ? i : throw new JinjaException("value is not in list")),
        "count" => Method(name, (a, _) => (long)l.Cast<object?>().Count(x => Py.Equals(x, a.Count > 0 ? a[0] : null))),
        "copy" => Method(name, (_, _) => l.Cast<object?>().ToList()),
        "append" or "extend" or "insert" or "pop" or "remove" or "clear" or "sort" or "reverse" => Method(name, (_, _) => throw new JinjaException($"access to attribute '{name}' of '{Py.TypeName(l)}' object is unsafe.")),
        _ => null,
    };
}
