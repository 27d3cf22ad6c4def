using System.Collections;

namespace Inference.Engines.Templates.Jinja;

/// <summary>Filters and tests applied by name, with their arguments.</summary>
internal sealed partial class JinjaRenderer
{
    private static bool ApplyTest(string name, object? value, IReadOnlyList<object?> args) => JinjaFilters.Test(name, value, args);

    private object? ApplyFilter(string name, object? value, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, int line)
    {
        object? Argument(int index, string keyword, object? fallback) =>
            index >= 0 && index < args.Count ? args[index] : kwargs.TryGetValue(keyword, out var named) ? named : fallback;

        bool Flag(int index, string keyword) => Py.Truthy(Argument(index, keyword, false));

        try
        {
            switch (name)
            {
                case "tojson":
                    var indent = Argument(0, "indent", null);
                    var separators = Argument(-1, "separators", null) as IList;
                    return PythonText.Json(
                        value,
                        indent switch { long n => new string(' ', (int)n), string spaces => spaces, _ => null },
                        separators?[0] as string,
                        separators?[1] as string,
                        Py.Truthy(Argument(-1, "sort_keys", false)),
                        Py.Truthy(Argument(-1, "ensure_ascii", false)));
                case "trim":
                    return Argument(0, "chars", null) is string chars ? Text(value).Trim(chars.ToCharArray()) : Text(value).Trim();
                case "length" or "count":
                    return Py.Length(value);
                case "string":
                    return PythonText.Str(value);
                case "lower":
                    return Text(value).ToLowerInvariant();
                case "upper":
                    return Text(value).ToUpperInvariant();
                case "title":
                    return JinjaFilters.Title(Text(value));
                case "capitalize":
                    return JinjaFilters.Capitalize(Text(value));
                case "replace":
                    var count = Argument(2, "count", null);
                    return GetAttribute(Text(value), "replace") is JinjaCallable replace
                        ? replace.Call(count is null ? [Argument(0, "old", ""), Argument(1, "new", "")] : [Argument(0, "old", ""), Argument(1, "new", ""), count], new Dictionary<string, object?>())
                        : value;
                case "default" or "d":
                    var fallback = Argument(0, "default_value", "");
                    return value is JinjaUndefined || (Flag(1, "boolean") && !Py.Truthy(value)) ? fallback : value;
                case "list":
                    return Py.Iterate(value).ToList();
                case "items":
                    return value switch
                    {
                        JinjaDict d => d.Select(e => (object?)new JinjaTuple([e.Key, e.Value])).ToList(),
                        JinjaUndefined => new List<object?>(),
                        _ => throw new JinjaException($"can only get item pairs from a mapping, not {Py.TypeName(value)}"),
                    };
                case "first":
                    var all = Py.Iterate(value);
                    return all.Count > 0 ? all[0] : new JinjaUndefined("first");
                case "last":
                    var items = Py.Iterate(value);
                    return items.Count > 0 ? items[^1] : new JinjaUndefined("last");
                case "join":
                    var attribute = Argument(1, "attribute", null);
                    var parts = Py.Iterate(value).Select(v => attribute is null ? v : Get(v, attribute));
                    return string.Join(Argument(0, "d", "") as string ?? "", parts.Select(PythonText.Str));
                case "reverse":
                    return value is string text ? string.Concat(Py.Iterate(text).Reverse().Cast<string>()) : Py.Iterate(value).Reverse().ToList();
                case "unique":
                    return Unique(value, Flag(0, "case_sensitive"), Argument(1, "attribute", null));
                case "sort":
                    return Sort(value, Flag(0, "reverse"), Flag(1, "case_sensitive"), Argument(2, "attribute", null));
                case "dictsort":
                    var byValue = Argument(1, "by", "key") as string == "value";
                    var pairs = value is JinjaDict dict ? dict.Select(e => (object?)new JinjaTuple([e.Key, e.Value])).ToList() : [];
                    var sorted = pairs.OrderBy(p => JinjaFilters.SortKey(((JinjaTuple)p!)[byValue ? 1 : 0], Flag(0, "case_sensitive")), Comparer<object?>.Create(Py.Compare)).ToList();
                    return Flag(2, "reverse") ? Enumerable.Reverse(sorted).ToList() : sorted;
                case "map":
                    return Map(value, args, kwargs, line);
                case "select" or "reject":
                    return Select(value, args, attribute: false, keep: name == "select");
                case "selectattr" or "rejectattr":
                    return Select(value, args, attribute: true, keep: name == "selectattr");
                case "indent":
                    var width = Argument(0, "width", 4L);
                    return JinjaFilters.Indent(Text(value), width is string w ? w : new string(' ', (int)(long)width!), Flag(1, "first"), Flag(2, "blank"));
                case "int":
                    return JinjaFilters.ToInt(value, Argument(0, "default", 0L));
                case "float":
                    return JinjaFilters.ToFloat(value, Argument(0, "default", 0.0));
                case "abs":
                    return value is long l ? (object)Math.Abs(l) : Math.Abs(Py.ToDouble(value));
                case "round":
                    return JinjaFilters.Round(value, Argument(0, "precision", 0L) as long? ?? 0, Argument(1, "method", "common") as string ?? "common");
                case "sum":
                    var attr = Argument(0, "attribute", null);
                    object? total = Argument(1, "start", 0L);
                    foreach (var item in Py.Iterate(value))
                    {
                        total = Binary("+", total, attr is null ? item : Get(item, attr));
                    }

                    return total;
                case "min" or "max":
                    var candidates = Py.Iterate(value);
                    if (candidates.Count == 0)
                    {
                        return new JinjaUndefined(name);
                    }

                    var ordered = candidates.OrderBy(c => JinjaFilters.SortKey(c, Flag(0, "case_sensitive")), Comparer<object?>.Create(Py.Compare)).ToList();
                    return name == "min" ? ordered[0] : ordered[^1];
                case "safe":
                    return value;
                case "e" or "escape" or "forceescape":
                    return JinjaFilters.Escape(PythonText.Str(value));
                case "format":
                    return Binary("%", Text(value), args.Count == 1 ? args[0] : new JinjaTuple(args));
                case "wordcount":
                    return (long)Split(Text(value), null, -1).Count;
                case "center":
                    var size = (int)(Argument(0, "width", 80L) as long? ?? 80);
                    var s = Text(value);
                    var pad = Math.Max(0, size - s.Length);
                    return new string(' ', pad / 2) + s + new string(' ', pad - (pad / 2));
                case "batch":
                    var batchSize = (int)(Argument(0, "linecount", 1L) as long? ?? 1);
                    return Py.Iterate(value).Chunk(batchSize).Select(c => (object?)c.ToList()).ToList();
                case "attr":
                    return GetAttribute(value, Argument(0, "name", "") as string ?? "");
                case "pprint":
                    return PythonText.Repr(value);
                default:
                    throw new JinjaException($"no filter named '{name}'", line);
            }
        }
        catch (JinjaException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidCastException or ArgumentException or FormatException or OverflowException)
        {
            throw new JinjaException($"filter '{name}': {ex.Message}", line);
        }
    }

    private static string Text(object? value) => value is JinjaUndefined ? "" : PythonText.Str(value);

    /// <summary>An item's attribute by a dotted path (<c>map(attribute='function.name')</c>), or an index when it is a number.</summary>
    private static object? Get(object? item, object? path)
    {
        if (path is long index)
        {
            return GetItem(item, index);
        }

        foreach (var part in (PythonText.Str(path)).Split('.'))
        {
            item = item is JinjaUndefined ? item : GetItem(item, long.TryParse(part, out var i) ? i : part);
        }

        return item;
    }

    private object? Map(object? value, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, int line)
    {
        var items = Py.Iterate(value);
        if (kwargs.TryGetValue("attribute", out var attribute))
        {
            var fallback = kwargs.GetValueOrDefault("default");
            return items.Select(i => Get(i, attribute) is var v && v is JinjaUndefined && kwargs.ContainsKey("default") ? fallback : Get(i, attribute)).ToList();
        }

        if (args.Count == 0 || args[0] is not string filter)
        {
            throw new JinjaException("map needs a filter name or attribute=", line);
        }

        var rest = args.Skip(1).ToList();
        return items.Select(i => ApplyFilter(filter, i, rest, kwargs, line)).ToList();
    }

    private static List<object?> Select(object? value, IReadOnlyList<object?> args, bool attribute, bool keep)
    {
        var items = Py.Iterate(value);
        var offset = attribute ? 1 : 0;
        var test = args.Count > offset ? args[offset] as string : null;
        var testArgs = args.Skip(offset + 1).ToList();
        return items.Where(item =>
        {
            var subject = attribute ? Get(item, args.Count > 0 ? args[0] : throw new JinjaException("selectattr needs an attribute")) : item;
            var passed = test is null ? Py.Truthy(subject) : JinjaFilters.Test(test, subject, testArgs);
            return passed == keep;
        }).ToList();
    }

    private static List<object?> Unique(object? value, bool caseSensitive, object? attribute)
    {
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (var item in Py.Iterate(value))
        {
            var key = JinjaFilters.SortKey(attribute is null ? item : Get(item, attribute), caseSensitive);
            if (!seen.Any(s => Py.Equals(s, key)))
            {
                seen.Add(key);
                result.Add(item);
            }
        }

        return result;
    }

    private static List<object?> Sort(object? value, bool reverse, bool caseSensitive, object? attribute)
    {
        var items = Py.Iterate(value).ToList();
        var sorted = items.OrderBy(i => JinjaFilters.SortKey(attribute is null ? i : Get(i, attribute), caseSensitive), Comparer<object?>.Create(Py.Compare)).ToList();
        if (reverse)
        {
            sorted.Reverse();
        }

        return sorted;
    }
}
