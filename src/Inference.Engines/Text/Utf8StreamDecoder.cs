using System.Text;

namespace Inference.Engines.Text;

/// <summary>
/// Turns the bytes of a stream of tokens into text, holding back the bytes of a multi-byte character until the token
/// that completes it arrives, so that no half character is ever emitted. One buffer, reused for every token.
/// </summary>
public sealed class Utf8StreamDecoder
{
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private char[] _chars = new char[64];

    /// <summary>The text these bytes complete; empty while a character is still incomplete.</summary>
    public ReadOnlySpan<char> Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return [];
        }

        var needed = _decoder.GetCharCount(bytes, flush: false);
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        var written = _decoder.GetChars(bytes, _chars, flush: false);
        return _chars.AsSpan(0, written);
    }

    /// <summary>Whatever remains at the end of generation (an incomplete sequence becomes U+FFFD).</summary>
    public ReadOnlySpan<char> Flush()
    {
        var written = _decoder.GetChars([], _chars, flush: true);
        return _chars.AsSpan(0, written);
    }
}
