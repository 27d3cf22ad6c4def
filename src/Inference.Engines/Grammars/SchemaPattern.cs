using System.Text;

namespace Inference.Engines.Grammars;

/// <summary>
/// A JSON schema <c>pattern</c> (an ECMAScript regular expression) as GBNF over a JSON string's content: literals,
/// <c>.</c>, classes and their escapes (<c>\d \w \s</c>), groups, alternation, <c>* + ? {m,n}</c>; <c>^</c> and <c>$</c>
/// at the ends. An unanchored end matches anything there, as JSON schema's patterns do. A quote or backslash is
/// written as its JSON escape; control characters are not generated. Lookarounds, backreferences and anchors
/// elsewhere are refused.
/// </summary>
internal sealed class SchemaPattern
{
    private const string SafeNegation = "\"\\\\\\x00-\\x1F";
    private readonly string _pattern;
    private readonly string _path;
    private int _pos;

    private SchemaPattern(string pattern, string path)
    {
        _pattern = pattern;
        _path = path;
    }

    public static string ToGbnf(string pattern, string path)
    {
        var anchoredStart = pattern.StartsWith('^');
        var anchoredEnd = pattern.EndsWith('$') && !pattern.EndsWith("\\$", StringComparison.Ordinal);
        var body = pattern[(anchoredStart ? 1 : 0)..(anchoredEnd ? pattern.Length - 1 : pattern.Length)];
        var parser = new SchemaPattern(body, path);
        var expression = parser.Alternation();
        if (parser._pos < body.Length)
        {
            throw parser.Unsupported($"unexpected '{body[parser._pos]}' at offset {parser._pos}");
        }

        return $"{(anchoredStart ? "" : "json-char* ")}({expression}){(anchoredEnd ? "" : " json-char*")}";
    }

    private string Alternation()
    {
        var alternatives = new List<string> { Sequence() };
        while (_pos < _pattern.Length && _pattern[_pos] == '|')
        {
            _pos++;
            alternatives.Add(Sequence());
        }

        return string.Join(" | ", alternatives);
    }

    private string Sequence()
    {
        var items = new List<string>();
        while (_pos < _pattern.Length && _pattern[_pos] is not ('|' or ')'))
        {
            var atom = Atom();
            items.Add(Quantified(atom));
        }

        return items.Count == 0 ? "\"\"" : string.Join(" ", items);
    }

    private string Quantified(string atom)
    {
        if (_pos >= _pattern.Length)
        {
            return atom;
        }

        var op = _pattern[_pos];
        string? result = op switch
        {
            '*' => $"({atom})*",
            '+' => $"({atom})+",
            '?' => $"({atom})?",
            '{' => Braces(atom),
            _ => null,
        };
        if (result is null)
        {
            return atom;
        }

        if (op != '{')
        {
            _pos++;
        }

        if (_pos < _pattern.Length && _pattern[_pos] == '?')
        {
            _pos++; // lazy or not, the set of strings is the same
        }

        return result;
    }

    private string? Braces(string atom)
    {
        var close = _pattern.IndexOf('}', _pos);
        if (close < 0)
        {
            return null;
        }

        var inside = _pattern[(_pos + 1)..close].Split(',');
        if (inside.Length is < 1 or > 2 || !int.TryParse(inside[0], out var min) || min > GbnfParser.MaxRepetition)
        {
            return null;
        }

        int? max = min;
        if (inside.Length == 2)
        {
            max = inside[1].Length == 0 ? null : int.TryParse(inside[1], out var m) && m >= min && m <= GbnfParser.MaxRepetition ? m : throw Unsupported($"the quantifier {{{string.Join(',', inside)}}} is not supported");
        }

        _pos = close + 1;
        return max is null ? $"({atom}){{{min},}}" : max == min ? $"({atom}){{{min}}}" : $"({atom}){{{min},{max}}}";
    }

    private string Atom()
    {
        var c = _pattern[_pos++];
        switch (c)
        {
            case '(':
                if (_pos < _pattern.Length && _pattern[_pos] == '?')
                {
                    if (_pos + 1 < _pattern.Length && _pattern[_pos + 1] == ':')
                    {
                        _pos += 2;
                    }
                    else
                    {
                        throw Unsupported("lookarounds and named groups are not supported");
                    }
                }

                var inner = Alternation();
                if (_pos >= _pattern.Length || _pattern[_pos] != ')')
                {
                    throw Unsupported("a group is never closed");
                }

                _pos++;
                return $"({inner})";
            case '[':
                return Class();
            case '.':
                return $"[^{SafeNegation}\\n]";
            case '\\':
                return Escape(inClass: false).Gbnf;
            case '^' or '$':
                throw Unsupported($"'{c}' is only supported at the pattern's ends");
            case '*' or '+' or '?' or '{':
                throw Unsupported($"'{c}' has nothing to repeat");
            default:
                _pos--;
                var cp = char.ConvertToUtf32(_pattern, _pos);
                _pos += char.IsSurrogatePair(_pattern, _pos) ? 2 : 1;
                return Literal(cp);
        }
    }

    private string Class()
    {
        var negated = _pos < _pattern.Length && _pattern[_pos] == '^';
        if (negated)
        {
            _pos++;
        }

        var ranges = new List<(int Low, int High)>();
        var negatedParts = new List<string>();
        var first = true;
        while (true)
        {
            if (_pos >= _pattern.Length)
            {
                throw Unsupported("a character class is never closed");
            }

            if (_pattern[_pos] == ']' && !first)
            {
                _pos++;
                break;
            }

            first = false;
            int low;
            if (_pattern[_pos] == '\\')
            {
                _pos++;
                var escape = Escape(inClass: true);
                if (escape.Ranges is { } set)
                {
                    ranges.AddRange(set);
                    continue;
                }

                if (escape.Negated is { } negatedSet)
                {
                    if (negated)
                    {
                        throw Unsupported("a negated class escape inside a negated class is not supported");
                    }

                    negatedParts.Add(negatedSet);
                    continue;
                }

                low = escape.CodePoint;
            }
            else
            {
                low = char.ConvertToUtf32(_pattern, _pos);
                _pos += char.IsSurrogatePair(_pattern, _pos) ? 2 : 1;
            }

            var high = low;
            if (_pos + 1 < _pattern.Length && _pattern[_pos] == '-' && _pattern[_pos + 1] != ']')
            {
                _pos++;
                if (_pattern[_pos] == '\\')
                {
                    _pos++;
                    high = Escape(inClass: true).CodePoint;
                }
                else
                {
                    high = char.ConvertToUtf32(_pattern, _pos);
                    _pos += char.IsSurrogatePair(_pattern, _pos) ? 2 : 1;
                }

                if (high < low)
                {
                    throw Unsupported("a class range ends before it starts");
                }
            }

            ranges.Add((low, high));
        }

        if (negated)
        {
            var builder = new StringBuilder("[^").Append(SafeNegation);
            foreach (var (low, high) in ranges)
            {
                AppendRange(builder, low, high);
            }

            return builder.Append(']').ToString();
        }

        var alternatives = new List<string>(negatedParts);
        var safe = new StringBuilder("[");
        var any = false;
        foreach (var (low, high) in ranges)
        {
            // Quotes, backslashes and control characters leave the class; a quote or backslash comes back as its escape.
            foreach (var (l, h) in Split(low, high))
            {
                AppendRange(safe, l, h);
                any = true;
            }

            if (low <= '"' && '"' <= high)
            {
                alternatives.Add("\"\\\\\\\"\"");
            }

            if (low <= '\\' && '\\' <= high)
            {
                alternatives.Add("\"\\\\\\\\\"");
            }
        }

        if (any)
        {
            alternatives.Insert(0, safe.Append(']').ToString());
        }

        return alternatives.Count == 0 ? throw Unsupported("a class matches no character that can be generated")
            : alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives) + ")";
    }

    private static IEnumerable<(int, int)> Split(int low, int high)
    {
        var start = Math.Max(low, 0x20);
        foreach (var excluded in (int[])['"', '\\'])
        {
            if (start <= excluded && excluded <= high)
            {
                if (start < excluded)
                {
                    yield return (start, excluded - 1);
                }

                start = excluded + 1;
            }
        }

        if (start <= high)
        {
            yield return (start, high);
        }
    }

    private (string Gbnf, int CodePoint, (int, int)[]? Ranges, string? Negated) Escape(bool inClass)
    {
        if (_pos >= _pattern.Length)
        {
            throw Unsupported("the pattern ends in a backslash");
        }

        var c = _pattern[_pos++];
        (int, int)[]? set = c switch
        {
            'd' => [('0', '9')],
            'w' => [('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')],
            's' => [(' ', ' ')],
            _ => null,
        };
        if (set is not null)
        {
            var builder = new StringBuilder("[");
            foreach (var (low, high) in set)
            {
                AppendRange(builder, low, high);
            }

            return (builder.Append(']').ToString(), 0, set, null);
        }

        string? negated = c switch
        {
            'D' => "0-9",
            'W' => "a-zA-Z0-9_",
            'S' => " ",
            _ => null,
        };
        if (negated is not null)
        {
            var gbnf = $"[^{SafeNegation}{negated}]";
            return (gbnf, 0, null, gbnf);
        }

        var cp = c switch
        {
            'n' or 'r' or 't' or 'f' or 'v' or '0' => throw Unsupported($"'\\{c}' (a control character) cannot be generated in a JSON string without escapes"),
            'b' when !inClass => throw Unsupported("word boundaries are not supported"),
            'B' => throw Unsupported("word boundaries are not supported"),
            'u' => ReadHex(4),
            'x' => ReadHex(2),
            _ when char.IsAsciiDigit(c) => throw Unsupported("backreferences are not supported"),
            _ => c,
        };
        return (Literal(cp), cp, null, null);
    }

    private int ReadHex(int digits)
    {
        if (_pos + digits > _pattern.Length || !int.TryParse(_pattern.AsSpan(_pos, digits), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var value))
        {
            throw Unsupported("an incomplete hex escape");
        }

        _pos += digits;
        return value;
    }

    private string Literal(int cp) => cp switch
    {
        '"' => "\"\\\\\\\"\"",
        '\\' => "\"\\\\\\\\\"",
        < 0x20 => throw Unsupported("control characters cannot be generated in a JSON string without escapes"),
        _ => GrammarText.Literal(char.ConvertFromUtf32(cp)),
    };

    private static void AppendRange(StringBuilder builder, int low, int high)
    {
        GrammarText.AppendChar(builder, low, "]-^[\"");
        if (high != low)
        {
            builder.Append('-');
            GrammarText.AppendChar(builder, high, "]-^[\"");
        }
    }

    private UnsupportedSchemaException Unsupported(string reason) => new("pattern", _path, reason);
}
