using System.Collections;

namespace Inference.Engines.Templates.Jinja;

/// <summary>
/// A name the template reads that nothing defines (Jinja's default <c>Undefined</c>): prints as nothing, is false, is
/// not <c>defined</c>; using it further (an attribute, a call) is an error naming it.
/// </summary>
public sealed class JinjaUndefined
{
    private readonly string? _message;

    public JinjaUndefined(string name) => Name = name;

    private JinjaUndefined(string name, string message)
    {
        Name = name;
        _message = message;
    }

    public string Name { get; }

    /// <summary>What using it says, in Jinja's words.</summary>
    public string Message => _message ?? $"'{Name}' is undefined";

    /// <summary>The missing attribute <paramref name="name"/> of <paramref name="owner"/>.</summary>
    public static JinjaUndefined MissingAttribute(object? owner, string name) =>
        new(name, $"'{Py.ObjectName(owner)}' has no attribute '{name}'");

    /// <summary>The missing item <paramref name="key"/> of <paramref name="owner"/> (a key that is not a string).</summary>
    public static JinjaUndefined MissingElement(object? owner, object? key) =>
        new($"[{PythonText.Repr(key)}]", $"{Py.ObjectName(owner)} has no element {PythonText.Repr(key)}");

    public override string ToString() => "";
}

/// <summary>Jinja's <c>namespace()</c>: an object whose attributes a <c>set</c> may change from inside a loop.</summary>
public sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>A function a template calls: a global (<c>range</c>, <c>raise_exception</c>), a macro, or a value's method.</summary>
/// <param name="Call">Called with the positional arguments and the keyword arguments.</param>
public sealed record JinjaCallable(string Name, Func<IReadOnlyList<object?>, IReadOnlyDictionary<string, object?>, object?> Call);

/// <summary>A <c>for</c> loop's <c>loop</c> variable.</summary>
internal sealed class JinjaLoop(IReadOnlyList<object?> items, int depth)
{
    public int Index0 { get; set; }

    public object? Get(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "depth" => (long)depth,
        "depth0" => (long)depth - 1,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new JinjaUndefined("loop.previtem"),
        "nextitem" => Index0 < items.Count - 1 ? items[Index0 + 1] : new JinjaUndefined("loop.nextitem"),
        "cycle" => new JinjaCallable("loop.cycle", (args, _) => args.Count == 0 ? null : args[Index0 % args.Count]),
        _ => new JinjaUndefined("loop." + name),
    };
}

/// <summary>A Python tuple: a list that prints with parentheses (what <c>dict.items()</c> yields).</summary>
public sealed class JinjaTuple(IEnumerable<object?> items) : List<object?>(items);

/// <summary>A Python dict: keys in insertion order, compared as Python compares them (1 == 1.0 == True).</summary>
public sealed class JinjaDict : IEnumerable<KeyValuePair<object, object?>>
{
    private readonly Dictionary<object, int> _index = new(KeyComparer.Instance);
    private readonly List<KeyValuePair<object, object?>> _entries = [];

    public int Count => _entries.Count;

    public IEnumerable<object> Keys => _entries.Select(e => e.Key);

    public IEnumerable<object?> Values => _entries.Select(e => e.Value);

    public object? this[object key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException();
        set
        {
            if (_index.TryGetValue(key, out var at))
            {
                _entries[at] = new(_entries[at].Key, value);
            }
            else
            {
                _index[key] = _entries.Count;
                _entries.Add(new(key, value));
            }
        }
    }

    public bool ContainsKey(object key) => _index.ContainsKey(key);

    public bool TryGetValue(object key, out object? value)
    {
        if (_index.TryGetValue(key, out var at))
        {
            value = _entries[at].Value;
            return true;
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => Py.Equals(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            string s => StringComparer.Ordinal.GetHashCode(s),
            long or double or bool => Py.ToDouble(obj).GetHashCode(),
            _ => obj.GetHashCode(),
        };
    }
}

/// <summary>Python's view of the values a template handles: truthiness, equality, order, length, iteration.</summary>
internal static class Py
{
    public static bool Truthy(object? value) => value switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        ICollection c => c.Count > 0,
        JinjaDict d => d.Count > 0,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new JinjaException($"{TypeName(value)} is not a number"),
    };

    public static new bool Equals(object? a, object? b)
    {
        if (a is JinjaUndefined || b is JinjaUndefined)
        {
            return a is JinjaUndefined && b is JinjaUndefined;
        }

        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            return a is long x && b is long y ? x == y : ToDouble(a) == ToDouble(b);
        }

        return (a, b) switch
        {
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (IList x, IList y) => x.Count == y.Count && Enumerable.Range(0, x.Count).All(i => Equals(x[i], y[i])),
            (JinjaDict x, JinjaDict y) => x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && Equals(p.Value, v)),
            _ => ReferenceEquals(a, b),
        };
    }

    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return a is long x && b is long y ? x.CompareTo(y) : ToDouble(a).CompareTo(ToDouble(b));
        }

        if (a is string s && b is string t)
        {
            return string.CompareOrdinal(s, t);
        }

        if (a is IList l && b is IList m)
        {
            for (var i = 0; i < Math.Min(l.Count, m.Count); i++)
            {
                var c = Compare(l[i], m[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return l.Count.CompareTo(m.Count);
        }

        throw new JinjaException($"'<' is not supported between {TypeName(a)} and {TypeName(b)}");
    }

    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        IReadOnlyList<object?> list => list,
        string s => [.. StringElements(s)],
        JinjaDict d => [.. d.Keys],
        JinjaUndefined or null => value is null ? throw new JinjaException("'NoneType' object is not iterable") : [],
        IEnumerable e => [.. e.Cast<object?>()],
        _ => throw new JinjaException($"'{TypeName(value)}' object is not iterable"),
    };

    /// <summary>A string's characters as Python sees them: code points, not UTF-16 units.</summary>
    public static IEnumerable<object?> StringElements(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                yield return s.Substring(i++, 2);
            }
            else
            {
                yield return s[i].ToString();
            }
        }
    }

    public static long Length(object? value) => value switch
    {
        string s => s.EnumerateRunes().Count(),
        ICollection c => c.Count,
        JinjaDict d => d.Count,
        JinjaUndefined => 0,
        _ => throw new JinjaException($"object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>How Jinja names a value's type in its messages: <c>dict object</c>, <c>None</c>.</summary>
    public static string ObjectName(object? value) => value switch
    {
        null => "None",
        JinjaNamespace => "jinja2.utils.Namespace object",
        JinjaLoop => "jinja2.runtime.LoopContext object",
        _ => TypeName(value) + " object",
    };

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        JinjaUndefined => "Undefined",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        JinjaDict => "dict",
        IList => "list",
        JinjaNamespace => "Namespace",
        JinjaCallable => "function",
        _ => value.GetType().Name,
    };
}
