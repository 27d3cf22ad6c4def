using System.Text;

namespace Inference.Serving.Safety;

/// <summary>
/// The built-in <see cref="IOutputSanitizer"/>: removes control characters (but tab, line feed and carriage return),
/// including the escape that starts terminal sequences, and the Unicode bidirectional overrides that make text read
/// differently than it is. Text without them is returned as it is, without copying.
/// </summary>
public sealed class ControlCharacterSanitizer : IOutputSanitizer
{
    public string Sanitize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = text.AsSpan().IndexOfAnyExcept(Allowed);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            if (!IsUnsafe(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsUnsafe(char c) =>
        (c < ' ' && c is not ('\t' or '\n' or '\r')) || c == '\u007f' || (c >= '\u0080' && c <= '\u009f') || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');

    // Everything but what IsUnsafe refuses, for the vectorised search of the first unsafe character.
    private static readonly System.Buffers.SearchValues<char> Allowed = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i).Where(c => !IsUnsafe(c))]);
}
