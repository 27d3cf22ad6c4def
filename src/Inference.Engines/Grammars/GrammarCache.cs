using System.Collections.Concurrent;
using System.Text.Json;

namespace Inference.Engines.Grammars;

/// <summary>
/// Grammars and JSON schemas compiled once, by their text: the check a request gets before any model runs and the
/// constraint the engine then decodes under share one compilation, and a client that sends the same schema or tools
/// again (most do, on every request) finds it compiled. Bounded: past <see cref="Capacity"/> entries it starts over.
/// </summary>
public static class GrammarCache
{
    public const int Capacity = 512;

    private static readonly ConcurrentDictionary<string, GbnfGrammar> Grammars = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> Schemas = new(StringComparer.Ordinal);

    /// <summary>The grammar <paramref name="gbnf"/> parsed and checked (a <see cref="GrammarSyntaxException"/> when it does not parse).</summary>
    public static GbnfGrammar Parse(string gbnf)
    {
        ArgumentNullException.ThrowIfNull(gbnf);
        if (Grammars.TryGetValue(gbnf, out var grammar))
        {
            return grammar;
        }

        grammar = GbnfGrammar.Parse(gbnf);
        Add(Grammars, gbnf, grammar);
        return grammar;
    }

    /// <summary>The GBNF of a JSON schema (an <see cref="UnsupportedSchemaException"/> names a keyword it cannot enforce).</summary>
    public static string SchemaGbnf(JsonElement schema)
    {
        var key = schema.GetRawText();
        if (Schemas.TryGetValue(key, out var gbnf))
        {
            return gbnf;
        }

        gbnf = JsonSchemaGrammar.ToGbnf(schema);
        Add(Schemas, key, gbnf);
        return gbnf;
    }

    /// <summary>
    /// The grammar <paramref name="build"/> writes for <paramref name="key"/> (a description of what it is made from,
    /// such as a request's tools and tool mode), written and parsed only the first time the key is seen.
    /// </summary>
    public static GbnfGrammar Get(string key, Func<string> build)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(build);

        // Keys begin with a character no grammar text does, so that one never stands for the other.
        key = "\0" + key;
        if (Grammars.TryGetValue(key, out var grammar))
        {
            return grammar;
        }

        grammar = GbnfGrammar.Parse(build());
        Add(Grammars, key, grammar);
        return grammar;
    }

    /// <summary>The grammar of a JSON schema.</summary>
    public static GbnfGrammar Schema(JsonElement schema) => Parse(SchemaGbnf(schema));

    private static void Add<T>(ConcurrentDictionary<string, T> cache, string key, T value)
    {
        if (cache.Count >= Capacity)
        {
            cache.Clear();
        }

        cache[key] = value;
    }
}
