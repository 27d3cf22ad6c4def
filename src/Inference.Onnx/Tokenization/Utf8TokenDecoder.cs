using System.Text;

namespace Inference.Onnx.Tokenization;

/// <summary>
/// Turns a stream of token ids into text, holding back the bytes of a multi-byte character until the token that
/// completes it arrives, so that no half character is ever emitted.
/// </summary>
internal sealed class Utf8TokenDecoder(ModelTokenizer tokenizer)
{
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private char[] _chars = new char[64];

    /// <summary>The text completed by <paramref name="tokenId"/>; empty while a character is still incomplete.</summary>
    public ReadOnlySpan<char> Append(int tokenId)
    {
        var bytes = tokenizer.GetTokenBytes(tokenId);
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
