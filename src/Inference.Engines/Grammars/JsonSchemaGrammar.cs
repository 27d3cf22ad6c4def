using System.Text;
using System.Text.Json;

namespace Inference.Engines.Grammars;

/// <summary>
/// Compiles a JSON schema to GBNF whose language is JSON text that validates against the schema: objects (properties
/// in the schema's order, required ones always, optional ones each present or not; no properties beyond those declared
/// unless the object declares none), arrays (items, minItems, maxItems), enum, const, strings (minLength, maxLength,
/// pattern, format date / time / date-time / uuid), integers and numbers with bounds, booleans, null, type lists,
/// anyOf / oneOf (as alternatives), a one-schema allOf, and $ref into $defs / definitions (recursion included).
/// Anything else that constrains a value is refused with <see cref="UnsupportedSchemaException"/> naming it, never
/// skipped; annotations (title, description, default, examples...) are ignored.
/// </summary>
public sealed class JsonSchemaGrammar
{
    private static readonly HashSet<string> Annotations =
    [
        "title", "description", "default", "examples", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly",
        "$defs", "definitions", "$anchor", "contentMediaType", "contentEncoding", "strict",
    ];

    private static readonly HashSet<string> Handled =
    [
        "type", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "properties", "required", "additionalProperties",
        "items", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "uniqueItems",
    ];

    private readonly JsonElement _root;
    private readonly Dictionary<string, string> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refRules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _primitives = [];
    private int _next;

    private readonly string _prefix;

    private JsonSchemaGrammar(JsonElement root, string prefix)
    {
        _root = root;
        _prefix = prefix;
    }

    /// <summary>The GBNF for <paramref name="schema"/>; <see cref="UnsupportedSchemaException"/> for what it cannot enforce.</summary>
    public static string ToGbnf(JsonElement schema)
    {
        var (root, rules) = Rules(schema, "");
        return string.Join('\n', [$"root ::= {root}", .. rules]) + "\n";
    }

    /// <summary>The schema compiled and parsed.</summary>
    public static GbnfGrammar Compile(JsonElement schema) => GbnfGrammar.Parse(ToGbnf(schema));

    /// <summary>
    /// The schema's rules to go into a larger grammar: the expression for a value, and the rules it needs. Rules of
    /// its own start with <paramref name="prefix"/>; the shared JSON rules (space, string, number...) are the same text
    /// for every schema, so several schemas' rules may be joined (dropping repeats).
    /// </summary>
    internal static (string Root, List<string> Rules) Rules(JsonElement schema, string prefix)
    {
        var compiler = new JsonSchemaGrammar(schema, prefix);
        var root = compiler.Visit(schema, "#");
        var rules = compiler._rules.Select(r => $"{r.Key} ::= {r.Value}").ToList();
        rules.AddRange(compiler._primitives.Order(StringComparer.Ordinal));
        return (root, rules);
    }

    private string Visit(JsonElement schema, string path)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                return AnyValue();
            case JsonValueKind.False:
                throw new UnsupportedSchemaException("false", path, "a false schema admits no value");
            case JsonValueKind.Object:
                break;
            default:
                throw new UnsupportedSchemaException("schema", path, "a schema must be an object or a boolean");
        }

        foreach (var property in schema.EnumerateObject())
        {
            if (!Handled.Contains(property.Name) && !Annotations.Contains(property.Name) && !property.Name.StartsWith("x-", StringComparison.Ordinal))
            {
                throw new UnsupportedSchemaException(property.Name, path, "this keyword is not supported");
            }
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            OnlyWith(schema, path, "$ref");
            return Reference(reference.GetString() ?? "", path);
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            OnlyWith(schema, path, "allOf");
            return allOf is { ValueKind: JsonValueKind.Array } && allOf.GetArrayLength() == 1
                ? Visit(allOf[0], path + "/allOf/0")
                : throw new UnsupportedSchemaException("allOf", path, "only an allOf of one schema is supported");
        }

        foreach (var keyword in (string[])["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(keyword, out var choices))
            {
                OnlyWith(schema, path, keyword);
                if (choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
                {
                    throw new UnsupportedSchemaException(keyword, path, "it must be a non-empty array of schemas");
                }

                return Group(choices.EnumerateArray().Select((choice, i) => Visit(choice, $"{path}/{keyword}/{i}")));
            }
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return Constant(constant);
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            return values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0
                ? Group(values.EnumerateArray().Select(Constant))
                : throw new UnsupportedSchemaException("enum", path, "it must be a non-empty array");
        }

        var types = Types(schema, path);
        return types.Count == 0 ? AnyValue() : Group(types.Select(type => Typed(schema, type, path)));
    }

    private static void OnlyWith(JsonElement schema, string path, string keyword)
    {
        foreach (var property in schema.EnumerateObject())
        {
            if (property.Name != keyword && Handled.Contains(property.Name))
            {
                throw new UnsupportedSchemaException(property.Name, path, $"it cannot be combined with '{keyword}' in one schema");
            }
        }
    }

    private static List<string> Types(JsonElement schema, string path)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            List<string> types = type.ValueKind switch
            {
                JsonValueKind.String => [type.GetString()!],
                JsonValueKind.Array when type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String) => [.. type.EnumerateArray().Select(t => t.GetString()!)],
                _ => throw new UnsupportedSchemaException("type", path, "it must be a type name or an array of them"),
            };
            foreach (var t in types)
            {
                if (t is not ("object" or "array" or "string" or "integer" or "number" or "boolean" or "null"))
                {
                    throw new UnsupportedSchemaException("type", path, $"'{t}' is not a JSON schema type");
                }
            }

            return types;
        }

        // No type: what its keywords are about.
        return schema.TryGetProperty("properties", out _) || schema.TryGetProperty("additionalProperties", out _) || schema.TryGetProperty("required", out _) ? ["object"]
            : schema.TryGetProperty("items", out _) || schema.TryGetProperty("minItems", out _) || schema.TryGetProperty("maxItems", out _) ? ["array"]
            : schema.TryGetProperty("minLength", out _) || schema.TryGetProperty("maxLength", out _) || schema.TryGetProperty("pattern", out _) || schema.TryGetProperty("format", out _) ? ["string"]
            : schema.TryGetProperty("minimum", out _) || schema.TryGetProperty("maximum", out _) || schema.TryGetProperty("exclusiveMinimum", out _) || schema.TryGetProperty("exclusiveMaximum", out _) ? ["number"]
            : [];
    }

    private string Typed(JsonElement schema, string type, string path) => type switch
    {
        "object" => Object(schema, path),
        "array" => Array(schema, path),
        "string" => String(schema, path),
        "integer" => Integer(schema, path),
        "number" => Number(schema, path),
        "boolean" => Primitive(JsonGrammarRules.Boolean, "boolean"),
        _ => Primitive(JsonGrammarRules.Null, "null"),
    };

    private string Object(JsonElement schema, string path)
    {
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var requiredList))
        {
            if (requiredList.ValueKind != JsonValueKind.Array || requiredList.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                throw new UnsupportedSchemaException("required", path, "it must be an array of property names");
            }

            required.UnionWith(requiredList.EnumerateArray().Select(r => r.GetString()!));
        }

        var properties = new List<(string Name, string Value, bool Required)>();
        if (schema.TryGetProperty("properties", out var declared))
        {
            if (declared.ValueKind != JsonValueKind.Object)
            {
                throw new UnsupportedSchemaException("properties", path, "it must be an object");
            }

            foreach (var property in declared.EnumerateObject())
            {
                var value = Visit(property.Value, $"{path}/properties/{Pointer(property.Name)}");
                properties.Add((property.Name, $"{GrammarText.Literal(JsonSerializer.Serialize(property.Name))} space \":\" space {value}", required.Contains(property.Name)));
            }
        }

        foreach (var name in required)
        {
            if (!properties.Any(p => p.Name == name))
            {
                throw new UnsupportedSchemaException("required", path, $"'{name}' is required but not among the properties");
            }
        }

        if (properties.Count == 0)
        {
            // Declares no properties: a map, of what additionalProperties allows.
            var additional = schema.TryGetProperty("additionalProperties", out var extra) ? extra : default;
            if (additional.ValueKind == JsonValueKind.False)
            {
                return Rule("\"{\" space \"}\" space");
            }

            var value = additional.ValueKind is JsonValueKind.Object or JsonValueKind.True ? Visit(additional, path + "/additionalProperties") : AnyValue();
            var key = Primitive(JsonGrammarRules.String, "string", JsonGrammarRules.Char);
            var pair = Rule($"{key} \":\" space {value}");
            return Rule($"\"{{\" space ({pair} (\",\" space {pair})*)? \"}}\" space");
        }

        // Required properties first (in the schema's order), then each optional one or not, comma-separated.
        var ordered = properties.Where(p => p.Required).Concat(properties.Where(p => !p.Required)).ToList();
        var requiredCount = ordered.Count(p => p.Required);
        var body = new StringBuilder();
        if (requiredCount > 0)
        {
            body.Append(string.Join(" \",\" space ", ordered.Take(requiredCount).Select(p => p.Value)));
            foreach (var optional in ordered.Skip(requiredCount))
            {
                body.Append(" (\",\" space ").Append(optional.Value).Append(")?");
            }
        }
        else
        {
            // None required: whichever optional one comes first has no comma before it.
            var tails = new List<string>();
            for (var i = 0; i < ordered.Count; i++)
            {
                var tail = new StringBuilder(ordered[i].Value);
                for (var j = i + 1; j < ordered.Count; j++)
                {
                    tail.Append(" (\",\" space ").Append(ordered[j].Value).Append(")?");
                }

                tails.Add(Rule(tail.ToString()));
            }

            body.Append('(').Append(string.Join(" | ", tails)).Append(")?");
        }

        return Rule($"\"{{\" space {body} \"}}\" space");
    }

    private string Array(JsonElement schema, string path)
    {
        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            throw new UnsupportedSchemaException("uniqueItems", path, "uniqueness across items is not enforced while decoding");
        }

        var item = schema.TryGetProperty("items", out var items)
            ? items.ValueKind == JsonValueKind.Array
                ? throw new UnsupportedSchemaException("items", path, "an array of item schemas (tuple validation) is not supported")
                : Visit(items, path + "/items")
            : AnyValue();
        var min = Count(schema, "minItems", path) ?? 0;
        var max = Count(schema, "maxItems", path);
        if (max < min)
        {
            throw new UnsupportedSchemaException("maxItems", path, "it is below minItems");
        }

        if (max == 0)
        {
            return Rule("\"[\" space \"]\" space");
        }

        // First item, then (min - 1) to (max - 1) more, each after a comma.
        var more = Rule($"\",\" space {item}");
        var rest = Repeat(more, Math.Max(min - 1, 0), max is int m ? m - 1 : null);
        var list = $"{item} {rest}".Trim();
        return Rule(min > 0 ? $"\"[\" space {list} \"]\" space" : $"\"[\" space ({list})? \"]\" space");
    }

    private string String(JsonElement schema, string path)
    {
        var min = Count(schema, "minLength", path);
        var max = Count(schema, "maxLength", path);
        if (max < min)
        {
            throw new UnsupportedSchemaException("maxLength", path, "it is below minLength");
        }

        var hasPattern = schema.TryGetProperty("pattern", out var pattern);
        var hasFormat = schema.TryGetProperty("format", out var format);
        if ((hasPattern || hasFormat) && (min is not null || max is not null))
        {
            throw new UnsupportedSchemaException(hasPattern ? "pattern" : "format", path, "it cannot be combined with minLength or maxLength");
        }

        if (hasPattern && hasFormat)
        {
            throw new UnsupportedSchemaException("format", path, "it cannot be combined with pattern");
        }

        if (hasPattern)
        {
            var content = SchemaPattern.ToGbnf(pattern.GetString() ?? "", path);
            _primitives.Add(JsonGrammarRules.Char);
            return Rule($"\"\\\"\" {content} \"\\\"\" space", JsonGrammarRules.Space);
        }

        if (hasFormat)
        {
            var content = Format(format.GetString() ?? "", path);
            return Rule($"\"\\\"\" {content} \"\\\"\" space", JsonGrammarRules.Space);
        }

        if (min is null && max is null)
        {
            return Primitive(JsonGrammarRules.String, "string", JsonGrammarRules.Char);
        }

        _primitives.Add(JsonGrammarRules.Char);
        return Rule($"\"\\\"\" {Repeat("json-char", min ?? 0, max)} \"\\\"\" space", JsonGrammarRules.Space);
    }

    private static string Format(string format, string path)
    {
        // Days as each month has them (February to the 28th, which every year has).
        const string day28 = "(\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8])";
        const string date = "[1-9] [0-9]{3} \"-\" ((\"0\" [13578] | \"1\" [02]) \"-\" (" + day28 + " | \"29\" | \"3\" [01]) | (\"0\" [469] | \"11\") \"-\" (" + day28 + " | \"29\" | \"30\") | \"02-\" " + day28 + ")";
        const string time = "([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" [0-5] [0-9] (\".\" [0-9]{1,6})? (\"Z\" | [+\\-] ([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9])";
        return format switch
        {
            "date" => date,
            "time" => time,
            "date-time" => $"{date} \"T\" {time}",
            "uuid" => "[0-9a-f]{8} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{12}",
            _ => throw new UnsupportedSchemaException("format", path, $"format '{format}' is not supported (date, time, date-time and uuid are)"),
        };
    }

    private string Integer(JsonElement schema, string path)
    {
        var (min, max) = Bounds(schema, path, integer: true);
        if (min is null && max is null)
        {
            return Primitive(JsonGrammarRules.Integer, "integer");
        }

        if (min > max)
        {
            throw new UnsupportedSchemaException("minimum", path, "it is above the maximum");
        }

        return Rule($"{IntegerRange.Gbnf(min, max)} space", JsonGrammarRules.Space);
    }

    private string Number(JsonElement schema, string path)
    {
        var (min, max) = Bounds(schema, path, integer: false);
        if (min is null && max is null)
        {
            return Primitive(JsonGrammarRules.Number, "number");
        }

        if (min > max)
        {
            throw new UnsupportedSchemaException("minimum", path, "it is above the maximum");
        }

        return Rule($"{IntegerRange.NumberGbnf(min, max)} space", JsonGrammarRules.Space);
    }

    /// <summary>Inclusive bounds; exclusive ones of integers become inclusive. Numbers take whole-number inclusive bounds.</summary>
    private static (long? Min, long? Max) Bounds(JsonElement schema, string path, bool integer)
    {
        long? min = null, max = null;
        foreach (var (keyword, isMin, exclusive) in (ReadOnlySpan<(string, bool, bool)>)[("minimum", true, false), ("maximum", false, false), ("exclusiveMinimum", true, true), ("exclusiveMaximum", false, true)])
        {
            if (!schema.TryGetProperty(keyword, out var value))
            {
                continue;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
            {
                throw new UnsupportedSchemaException(keyword, path, "it must be a number");
            }

            if (Math.Abs(number) > 1e15)
            {
                throw new UnsupportedSchemaException(keyword, path, "bounds beyond 10^15 are not supported");
            }

            long bound;
            if (integer)
            {
                bound = isMin ? (long)Math.Ceiling(exclusive ? Math.Floor(number) + 1 : number) : (long)Math.Floor(exclusive ? Math.Ceiling(number) - 1 : number);
            }
            else if (exclusive || number != Math.Floor(number))
            {
                throw new UnsupportedSchemaException(keyword, path, "a number's bounds must be inclusive whole numbers");
            }
            else
            {
                bound = (long)number;
            }

            if (isMin)
            {
                min = min is long m ? Math.Max(m, bound) : bound;
            }
            else
            {
                max = max is long m ? Math.Min(m, bound) : bound;
            }
        }

        return (min, max);
    }

    private static int? Count(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count >= 0
            ? count <= GbnfParser.MaxRepetition ? count : throw new UnsupportedSchemaException(keyword, path, $"values above {GbnfParser.MaxRepetition} are not supported")
            : throw new UnsupportedSchemaException(keyword, path, "it must be a non-negative integer");
    }

    private string Reference(string reference, string path)
    {
        if (_refRules.TryGetValue(reference, out var existing))
        {
            return existing;
        }

        JsonElement target;
        if (reference == "#")
        {
            target = _root;
        }
        else if (reference.StartsWith("#/$defs/", StringComparison.Ordinal) || reference.StartsWith("#/definitions/", StringComparison.Ordinal))
        {
            var slash = reference.IndexOf('/', 2);
            var container = reference[2..slash];
            var name = Unpointer(reference[(slash + 1)..]);
            if (!_root.TryGetProperty(container, out var defs) || defs.ValueKind != JsonValueKind.Object || !defs.TryGetProperty(name, out target))
            {
                throw new UnsupportedSchemaException("$ref", path, $"'{reference}' does not name a definition of this schema");
            }
        }
        else
        {
            throw new UnsupportedSchemaException("$ref", path, $"only references into this schema's $defs or definitions are supported, not '{reference}'");
        }

        // Named before it is compiled, so that a recursive definition refers to itself.
        var rule = $"{_prefix}ref-{_next++}";
        _refRules[reference] = rule;
        _rules[rule] = "";
        _rules[rule] = Visit(target, reference);
        return rule;
    }

    private string Constant(JsonElement value)
    {
        _primitives.Add(JsonGrammarRules.Space);
        return $"{GrammarText.Literal(JsonSerializer.Serialize(value))} space";
    }

    private string AnyValue()
    {
        foreach (var rule in JsonGrammarRules.AnyValue())
        {
            _primitives.Add(rule);
        }

        return "value-0";
    }

    private string Primitive(string rule, string name, string? also = null)
    {
        _primitives.Add(rule);
        _primitives.Add(JsonGrammarRules.Space);
        if (also is not null)
        {
            _primitives.Add(also);
        }

        return name;
    }

    private string Rule(string body, string? uses = null)
    {
        _primitives.Add(uses ?? JsonGrammarRules.Space);
        var name = $"{_prefix}r-{_next++}";
        _rules[name] = body;
        return name;
    }

    private static string Group(IEnumerable<string> alternatives)
    {
        var list = alternatives.Distinct(StringComparer.Ordinal).ToList();
        return list.Count == 1 ? list[0] : "(" + string.Join(" | ", list) + ")";
    }

    private static string Repeat(string item, int min, int? max) => (min, max) switch
    {
        (0, 0) => "",
        (_, null) => $"{item}{{{min},}}",
        (_, int m) when m == min => $"{item}{{{min}}}",
        (_, int m) => $"{item}{{{min},{m}}}",
    };

    private static string Pointer(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Unpointer(string name) => name.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
}
