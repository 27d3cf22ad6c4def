using System.Globalization;
using System.Text;

namespace Inference.Engines.Templates.Jinja;

internal enum TokenKind
{
    Text,
    VariableStart,
    VariableEnd,
    BlockStart,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
}

internal readonly record struct Token(TokenKind Kind, string Value, int Line);

/// <summary>
/// Splits a template into text and tags as Jinja2 does with transformers' settings: <c>trim_blocks</c> (the newline after a
/// block or comment tag goes), <c>lstrip_blocks</c> (spaces and tabs before a block or comment tag at the start of a line
/// go), <c>-</c> and <c>+</c> whitespace control, <c>raw</c> blocks, newlines normalised to <c>\n</c> and one trailing
/// newline of the template dropped.
/// </summary>
internal static class JinjaLexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"];

    public static List<Token> Tokenize(string source)
    {
        source = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (source.EndsWith('\n'))
        {
            source = source[..^1];
        }

        var tokens = new List<Token>();
        var position = 0;
        var line = 1;
        var counted = 0; // newlines before this position are in line (trim_blocks may skip one past a tag)
        var stripNext = false;
        while (position < source.Length)
        {
            var open = FindTag(source, position);
            var textEnd = open < 0 ? source.Length : open;
            var text = source[position..textEnd];
            var textStart = position;
            if (stripNext)
            {
                var trimmed = text.TrimStart();
                textStart += text.Length - trimmed.Length;
                text = trimmed;
                stripNext = false;
            }

            if (open < 0)
            {
                Add(tokens, TokenKind.Text, text, line);
                break;
            }

            var kind = source[open + 1];
            var modifier = open + 2 < source.Length ? source[open + 2] : '\0';
            if (modifier == '-')
            {
                text = text.TrimEnd();
            }
            else if (kind is '%' or '#' && modifier != '+')
            {
                text = LeftStripped(source, textStart, text);
            }

            Add(tokens, TokenKind.Text, text, line);
            line += Count(source, counted, open);
            counted = open;
            var inner = open + 2 + (modifier is '-' or '+' ? 1 : 0);
            if (kind == '#')
            {
                var close = source.IndexOf("#}", inner, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new JinjaException("a comment is not closed", line);
                }

                line += Count(source, open, close);
                counted = close;
                position = AfterTag(source, close, '#', ref stripNext);
                continue;
            }

            tokens.Add(new Token(kind == '{' ? TokenKind.VariableStart : TokenKind.BlockStart, "", line));
            var (end, endLine) = LexInside(source, inner, kind == '{' ? '}' : '%', line, tokens);
            line = endLine;
            if (kind == '%' && IsRawStart(tokens))
            {
                tokens.RemoveRange(tokens.Count - 2, 2);
                position = ReadRaw(source, end, tokens, ref line, ref stripNext);
                line = 1 + Count(source, 0, position);
                counted = position;
                continue;
            }

            tokens.Add(new Token(kind == '{' ? TokenKind.VariableEnd : TokenKind.BlockEnd, "", line));
            counted = end;
            position = AfterTag(source, end, kind == '{' ? '}' : '%', ref stripNext);
        }

        tokens.Add(new Token(TokenKind.End, "", line));
        return tokens;
    }

    private static void Add(List<Token> tokens, TokenKind kind, string text, int line)
    {
        if (text.Length > 0)
        {
            tokens.Add(new Token(kind, text, line));
        }
    }

    private static int FindTag(string source, int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
        {
            if (source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>lstrip_blocks: the spaces and tabs that start the tag's line go, when nothing else precedes it there.</summary>
    private static string LeftStripped(string source, int textStart, string text)
    {
        var lineStart = text.LastIndexOf('\n');
        var tail = text[(lineStart + 1)..];
        if (tail.Any(c => c is not (' ' or '\t')))
        {
            return text;
        }

        // With no newline in the text, its start must itself begin a line of the source.
        if (lineStart < 0 && textStart > 0 && source[textStart - 1] != '\n')
        {
            return text;
        }

        return text[..(lineStart + 1)];
    }

    /// <summary>Past a tag's closing delimiter: <c>-</c> strips what follows; trim_blocks drops one newline after a block or comment.</summary>
    private static int AfterTag(string source, int close, char kind, ref bool stripNext)
    {
        var modifier = source[close - 1];
        var after = close + 2;
        if (modifier == '-')
        {
            stripNext = true;
        }
        else if (kind is '%' or '#' && modifier != '+' && after < source.Length && source[after] == '\n')
        {
            after++;
        }

        return after;
    }

    private static bool IsRawStart(List<Token> tokens) =>
        tokens.Count >= 2 && tokens[^2].Kind == TokenKind.BlockStart && tokens[^1] is { Kind: TokenKind.Name, Value: "raw" };

    /// <summary>A raw block's text, as written, up to <c>{% endraw %}</c>.</summary>
    private static int ReadRaw(string source, int afterStart, List<Token> tokens, ref int line, ref bool stripNext)
    {
        var body = AfterTag(source, afterStart, '%', ref stripNext);
        var search = body;
        while (true)
        {
            var open = source.IndexOf("{%", search, StringComparison.Ordinal);
            if (open < 0)
            {
                throw new JinjaException("a raw block is not closed", line);
            }

            var inner = open + 2 + (source[open + 2] is '-' or '+' ? 1 : 0);
            var rest = source.AsSpan(inner).TrimStart();
            if (rest.StartsWith("endraw", StringComparison.Ordinal))
            {
                var close = source.IndexOf("%}", inner, StringComparison.Ordinal);
                var text = source[body..open];
                if (source[open + 2] == '-')
                {
                    text = text.TrimEnd();
                }

                Add(tokens, TokenKind.Text, stripNext ? text.TrimStart() : text, line);
                stripNext = false;
                line += Count(source, body, close);
                return AfterTag(source, close, '%', ref stripNext);
            }

            search = open + 2;
        }
    }

    private static int Count(string source, int from, int to)
    {
        var n = 0;
        for (var i = from; i < to; i++)
        {
            n += source[i] == '\n' ? 1 : 0;
        }

        return n;
    }

    /// <summary>The tokens inside a tag, up to its closing delimiter (returned: the position of that delimiter).</summary>
    private static (int Close, int Line) LexInside(string source, int position, char closer, int line, List<Token> tokens)
    {
        var depth = 0;
        while (true)
        {
            if (position >= source.Length)
            {
                throw new JinjaException("a tag is not closed", line);
            }

            var c = source[position];
            if (c == '\n')
            {
                line++;
                position++;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                position++;
                continue;
            }

            if (depth == 0 && (Closes(source, position, closer) || (c is '-' or '+' && Closes(source, position + 1, closer))))
            {
                return (c is '-' or '+' ? position + 1 : position, line);
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = position;
                while (position < source.Length && (char.IsLetterOrDigit(source[position]) || source[position] == '_'))
                {
                    position++;
                }

                tokens.Add(new Token(TokenKind.Name, source[start..position], line));
                continue;
            }

            if (char.IsDigit(c))
            {
                position = Number(source, position, line, tokens);
                continue;
            }

            if (c is '\'' or '"')
            {
                position = StringLiteral(source, position, ref line, tokens);
                continue;
            }

            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, position, o, 0, o.Length) == 0)
                ?? throw new JinjaException($"unexpected character '{c}'", line);
            depth += op is "(" or "[" or "{" ? 1 : op is ")" or "]" or "}" ? -1 : 0;
            tokens.Add(new Token(TokenKind.Operator, op, line));
            position += op.Length;
        }
    }

    private static bool Closes(string source, int position, char closer) =>
        position + 1 < source.Length && source[position] == closer && source[position + 1] == '}';

    private static int Number(string source, int position, int line, List<Token> tokens)
    {
        var start = position;
        var isFloat = false;
        while (position < source.Length && (char.IsDigit(source[position]) || source[position] == '_'))
        {
            position++;
        }

        if (position + 1 < source.Length && source[position] == '.' && char.IsDigit(source[position + 1]))
        {
            isFloat = true;
            position++;
            while (position < source.Length && (char.IsDigit(source[position]) || source[position] == '_'))
            {
                position++;
            }
        }

        if (position < source.Length && source[position] is 'e' or 'E')
        {
            var exponent = position + 1;
            if (exponent < source.Length && source[exponent] is '+' or '-')
            {
                exponent++;
            }

            if (exponent < source.Length && char.IsDigit(source[exponent]))
            {
                isFloat = true;
                position = exponent;
                while (position < source.Length && char.IsDigit(source[position]))
                {
                    position++;
                }
            }
        }

        tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, source[start..position].Replace("_", "", StringComparison.Ordinal), line));
        return position;
    }

    /// <summary>A quoted string with Python's escapes.</summary>
    private static int StringLiteral(string source, int position, ref int line, List<Token> tokens)
    {
        var quote = source[position++];
        var value = new StringBuilder();
        var startLine = line;
        while (true)
        {
            if (position >= source.Length)
            {
                throw new JinjaException("a string is not closed", startLine);
            }

            var c = source[position++];
            if (c == quote)
            {
                break;
            }

            if (c == '\n')
            {
                line++;
            }

            if (c != '\\' || position >= source.Length)
            {
                value.Append(c);
                continue;
            }

            var e = source[position++];
            switch (e)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'v': value.Append('\v'); break;
                case 'a': value.Append('\a'); break;
                case '0': value.Append('\0'); break;
                case '\\': value.Append('\\'); break;
                case '\'': value.Append('\''); break;
                case '"': value.Append('"'); break;
                case '\n': line++; break;
                case 'x' or 'u' or 'U':
                    var width = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    var code = int.Parse(source.AsSpan(position, width), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    value.Append(char.ConvertFromUtf32(code));
                    position += width;
                    break;
                default:
                    value.Append('\\').Append(e);
                    break;
            }
        }

        tokens.Add(new Token(TokenKind.String, value.ToString(), startLine));
        return position;
    }
}
