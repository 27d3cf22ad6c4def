using System.Globalization;

namespace Inference.Engines.Grammars;

/// <summary>
/// Reads llama.cpp's GBNF: <c>name ::= alternatives</c> rules, quoted literals, character classes (ranges, negation),
/// <c>.</c>, rule references, groups, <c>* + ?</c> and <c>{m,n}</c> repetition, <c>#</c> comments. A rule ends at the
/// end of its line, unless a group is open or the next line goes on with <c>|</c>. Errors carry line and column.
/// </summary>
internal sealed class GbnfParser
{
    /// <summary>Repetition bounds above this are refused: they would expand into that many rules.</summary>
    public const int MaxRepetition = 10_000;

    private readonly string _text;
    private int _pos;

    private GbnfParser(string text) => _text = text;

    public static List<GbnfRule> Parse(string text)
    {
        var parser = new GbnfParser(text);
        var rules = new List<GbnfRule>();
        parser.SkipSpace(newlines: true);
        while (!parser.AtEnd)
        {
            rules.Add(parser.ParseRule());
            parser.SkipSpace(newlines: true);
        }

        return rules;
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Current => _text[_pos];

    private GbnfRule ParseRule()
    {
        var (line, column) = Position(_pos);
        var name = ParseName() ?? throw Error("expected a rule name");
        SkipSpace(newlines: false);
        if (!_text.AsSpan(_pos).StartsWith("::="))
        {
            throw Error($"expected '::=' after rule name '{name}'");
        }

        _pos += 3;
        SkipSpace(newlines: true);
        var body = ParseChoice(nested: false);
        if (!AtEnd && Current is not ('\n' or '\r'))
        {
            throw Error($"unexpected '{Current}'");
        }

        return new GbnfRule(name, body, line, column);
    }

    private GbnfChoice ParseChoice(bool nested)
    {
        var alternatives = new List<IReadOnlyList<GbnfNode>> { ParseSequence(nested) };
        while (true)
        {
            var save = _pos;
            if (!nested)
            {
                // A top-level rule may go on over a line break when the next line starts with '|'.
                SkipSpace(newlines: true);
            }

            if (!AtEnd && Current == '|')
            {
                _pos++;
                SkipSpace(newlines: true);
                alternatives.Add(ParseSequence(nested));
                continue;
            }

            _pos = save;
            return new GbnfChoice(alternatives);
        }
    }

    private List<GbnfNode> ParseSequence(bool nested)
    {
        var items = new List<GbnfNode>();
        while (!AtEnd)
        {
            var start = _pos;
            GbnfNode? item = Current switch
            {
                '"' => ParseLiteral(),
                '[' => ParseClass(),
                '.' => Advance(new GbnfAny()),
                '(' => ParseGroup(),
                _ when IsWordChar(Current) => ParseReference(),
                _ => null,
            };
            if (item is null)
            {
                break;
            }

            SkipSpace(nested);
            while (!AtEnd && Current is '*' or '+' or '?' or '{')
            {
                item = ParseRepeat(item, start);
                SkipSpace(nested);
            }

            items.Add(item);
        }

        if (!AtEnd && Current is not ('|' or ')' or '\n' or '\r'))
        {
            throw Current switch
            {
                '<' => Error("token references (<...>) are not supported; write the text as a literal"),
                '!' => Error("negated token references are not supported"),
                '*' or '+' or '?' or '{' => Error($"'{Current}' has nothing to repeat"),
                _ => Error($"unexpected '{Current}'"),
            };
        }

        return items;
    }

    private GbnfNode ParseRepeat(GbnfNode item, int itemStart)
    {
        var op = Current;
        _pos++;
        switch (op)
        {
            case '*': return new GbnfRepeat(item, 0, null);
            case '+': return new GbnfRepeat(item, 1, null);
            case '?': return new GbnfRepeat(item, 0, 1);
        }

        SkipSpace(newlines: false);
        var min = ParseInt() ?? throw Error("expected a number after '{'");
        int? max = min;
        SkipSpace(newlines: false);
        if (!AtEnd && Current == ',')
        {
            _pos++;
            SkipSpace(newlines: false);
            max = ParseInt();
            SkipSpace(newlines: false);
        }

        if (AtEnd || Current != '}')
        {
            throw Error("expected '}' to close the repetition");
        }

        _pos++;
        if (max < min)
        {
            throw ErrorAt(itemStart, $"repetition {{{min},{max}}} has its maximum below its minimum");
        }

        if (min > MaxRepetition || max > MaxRepetition)
        {
            throw ErrorAt(itemStart, $"repetition bounds above {MaxRepetition} are not supported");
        }

        return new GbnfRepeat(item, min, max);
    }

    private GbnfNode ParseGroup()
    {
        var open = _pos;
        _pos++;
        SkipSpace(newlines: true);
        var choice = ParseChoice(nested: true);
        SkipSpace(newlines: true);
        if (AtEnd || Current != ')')
        {
            throw AtEnd ? ErrorAt(open, "'(' is never closed") : Error("expected ')'");
        }

        _pos++;
        return choice;
    }

    private GbnfRef ParseReference()
    {
        var (line, column) = Position(_pos);
        return new GbnfRef(ParseName()!, line, column);
    }

    private GbnfLiteral ParseLiteral()
    {
        var open = _pos;
        _pos++;
        var codePoints = new List<int>();
        while (true)
        {
            if (AtEnd || Current is '\n' or '\r')
            {
                throw ErrorAt(open, "the literal is never closed");
            }

            if (Current == '"')
            {
                _pos++;
                return new GbnfLiteral([.. codePoints]);
            }

            codePoints.Add(ParseChar());
        }
    }

    private GbnfClass ParseClass()
    {
        var open = _pos;
        _pos++;
        var negated = !AtEnd && Current == '^';
        if (negated)
        {
            _pos++;
        }

        var ranges = new List<(int, int)>();
        while (true)
        {
            if (AtEnd || Current is '\n' or '\r')
            {
                throw ErrorAt(open, "the character class is never closed");
            }

            if (Current == ']')
            {
                _pos++;
                break;
            }

            var rangeStart = _pos;
            var low = ParseChar();
            var high = low;
            if (_pos + 1 < _text.Length && Current == '-' && _text[_pos + 1] != ']')
            {
                _pos++;
                high = ParseChar();
                if (high < low)
                {
                    throw ErrorAt(rangeStart, "the range's end comes before its start");
                }
            }

            ranges.Add((low, high));
        }

        return ranges.Count == 0 && !negated ? throw ErrorAt(open, "the character class is empty") : new GbnfClass(negated, [.. ranges]);
    }

    /// <summary>One character of a literal or class, escapes decoded.</summary>
    private int ParseChar()
    {
        if (Current != '\\')
        {
            var cp = char.ConvertToUtf32(_text, _pos);
            _pos += char.IsSurrogatePair(_text, _pos) ? 2 : 1;
            return cp;
        }

        var escape = _pos;
        _pos++;
        if (AtEnd)
        {
            throw ErrorAt(escape, "the escape is incomplete");
        }

        var c = Current;
        _pos++;
        return c switch
        {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '0' => 0,
            '\\' or '"' or '[' or ']' or '-' or '^' or '/' or '\'' => c,
            'x' => Hex(2, escape),
            'u' => Hex(4, escape),
            'U' => Hex(8, escape),
            _ => throw ErrorAt(escape, $"unknown escape '\\{c}'"),
        };
    }

    private int Hex(int digits, int escape)
    {
        if (_pos + digits > _text.Length
            || !int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            || value > 0x10FFFF || value is >= 0xD800 and <= 0xDFFF)
        {
            throw ErrorAt(escape, $"expected {digits} hex digits of a code point");
        }

        _pos += digits;
        return value;
    }

    private string? ParseName()
    {
        var start = _pos;
        while (!AtEnd && IsWordChar(Current))
        {
            _pos++;
        }

        return _pos > start ? _text[start.._pos] : null;
    }

    private int? ParseInt()
    {
        var start = _pos;
        while (!AtEnd && char.IsAsciiDigit(Current))
        {
            _pos++;
        }

        return _pos == start ? null
            : int.TryParse(_text.AsSpan(start, _pos - start), CultureInfo.InvariantCulture, out var value) ? value
            : throw ErrorAt(start, "the number is too large");
    }

    private void SkipSpace(bool newlines)
    {
        while (!AtEnd)
        {
            var c = Current;
            if (c == '#')
            {
                while (!AtEnd && Current is not ('\n' or '\r'))
                {
                    _pos++;
                }
            }
            else if (c is ' ' or '\t' || (newlines && c is '\n' or '\r'))
            {
                _pos++;
            }
            else
            {
                return;
            }
        }
    }

    private T Advance<T>(T node)
    {
        _pos++;
        return node;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-';

    private GrammarSyntaxException Error(string message) => ErrorAt(_pos, message);

    private GrammarSyntaxException ErrorAt(int offset, string message)
    {
        var (line, column) = Position(offset);
        return new GrammarSyntaxException(message, line, column);
    }

    private (int Line, int Column) Position(int offset) => GrammarText.Position(_text, offset);
}
