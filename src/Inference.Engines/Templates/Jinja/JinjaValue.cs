using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Inference.Engines.Templates.Jinja;

/// <summary>
/// Turns .NET values into the values a template reads, as Python's <c>json.loads</c> would give them: dictionaries keep
/// their order, JSON numbers written with a point or an exponent are floats and the others integers, null is None.
/// </summary>
public static class JinjaValue
{
    public static object? From(object? value) => value switch
    {
        null => null,
        string or bool or long or double or JinjaDict or JinjaNamespace or JinjaCallable or JinjaUndefined => value,
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        uint u => (long)u,
        float f => double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
        decimal m => (double)m,
        JsonElement element => FromJson(element),
        JsonNode node => FromJson(JsonSerializer.SerializeToElement(node)),
        IDictionary<string, object?> dictionary => Dict(dictionary.Select(p => (p.Key, p.Value))),
        IReadOnlyDictionary<string, object?> dictionary => Dict(dictionary.Select(p => (p.Key, p.Value))),
        JinjaTuple tuple => tuple,
        IEnumerable items => items.Cast<object?>().Select(From).ToList(),
        _ => value.ToString(),
    };

    private static JinjaDict Dict(IEnumerable<(string Key, object? Value)> pairs)
    {
        var dict = new JinjaDict();
        foreach (var (key, value) in pairs)
        {
            dict[key] = From(value);
        }

        return dict;
    }

    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => Dict(element.EnumerateObject().Select(p => (p.Name, (object?)p.Value))),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => element.GetRawText().AsSpan().IndexOfAny(".eE") < 0 && element.TryGetInt64(out var integer)
            ? (object)integer
            : element.GetDouble(),
        _ => null,
    };
}
