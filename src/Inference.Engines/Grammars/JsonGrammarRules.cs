namespace Inference.Engines.Grammars;

/// <summary>
/// The GBNF rules JSON values are built from. Compact JSON with at most one space between tokens; strings without
/// control characters (escapes other than <c>\u</c> are allowed); numbers of at most 16 integer and 16 fraction digits,
/// so that no path through the grammar runs forever on whitespace or digits.
/// </summary>
internal static class JsonGrammarRules
{
    public const string Space = "space ::= \" \"?";

    public const string Char = "json-char ::= [^\"\\\\\\x00-\\x1F] | \"\\\\\" [\"\\\\/bfnrt]";

    public const string String = "string ::= \"\\\"\" json-char* \"\\\"\" space";

    public const string Boolean = "boolean ::= (\"true\" | \"false\") space";

    public const string Null = "null ::= \"null\" space";

    public const string IntegerDigits = "(\"0\" | [1-9] [0-9]{0,15})";

    public const string Integer = "integer ::= \"-\"? " + IntegerDigits + " space";

    public const string Number = "number ::= \"-\"? " + IntegerDigits + " (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})? space";

    /// <summary>Levels of nesting a free-form value may reach: deeper, only scalars.</summary>
    public const int MaxDepth = 6;

    /// <summary>Any JSON value, nested at most <see cref="MaxDepth"/> deep: <c>value-0</c> is the outermost.</summary>
    public static IEnumerable<string> AnyValue()
    {
        yield return Space;
        yield return Char;
        yield return String;
        yield return Boolean;
        yield return Null;
        yield return Number;
        for (var d = 0; d < MaxDepth; d++)
        {
            var inner = $"value-{d + 1}";
            yield return $"value-{d} ::= object-{d} | array-{d} | string | number | boolean | null";
            yield return $"object-{d} ::= \"{{\" space (string \":\" space {inner} (\",\" space string \":\" space {inner})*)? \"}}\" space";
            yield return $"array-{d} ::= \"[\" space ({inner} (\",\" space {inner})*)? \"]\" space";
        }

        yield return $"value-{MaxDepth} ::= string | number | boolean | null";
    }

    /// <summary>A JSON object at the top, anything inside: OpenAI's json_object mode.</summary>
    public static string AnyObject() => string.Join('\n', ["root ::= object-0", .. AnyValue()]);
}
