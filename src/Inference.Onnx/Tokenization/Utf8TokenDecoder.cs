using Inference.Engines.Text;

namespace Inference.Onnx.Tokenization;

/// <summary>Turns a stream of token ids into whole characters, through each token's bytes.</summary>
internal sealed class Utf8TokenDecoder(ModelTokenizer tokenizer)
{
    private readonly Utf8StreamDecoder _text = new();

    /// <summary>The text completed by <paramref name="tokenId"/>; empty while a character is still incomplete.</summary>
    public ReadOnlySpan<char> Append(int tokenId) => _text.Append(tokenizer.GetTokenBytes(tokenId));

    /// <summary>Whatever remains at the end of generation (an incomplete sequence becomes U+FFFD).</summary>
    public ReadOnlySpan<char> Flush() => _text.Flush();
}
