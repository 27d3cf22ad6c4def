using System.Text;
using Microsoft.ML.Tokenizers;

namespace Inference.Onnx.Tokenization;

/// <summary>
/// A model's tokenizer: encoding through Microsoft.ML.Tokenizers, built from the model's own files, and decoding through
/// a per-token byte table so that streamed text can be assembled byte by byte (see <see cref="Utf8TokenDecoder"/>).
/// </summary>
public sealed class ModelTokenizer
{
    private readonly byte[][] _tokenBytes;

    internal ModelTokenizer(
        Tokenizer inner,
        TokenizerFamily family,
        byte[][] tokenBytes,
        IReadOnlyDictionary<string, int> specialTokens,
        int? maxLength)
    {
        Inner = inner;
        Family = family;
        _tokenBytes = tokenBytes;
        SpecialTokens = specialTokens;
        SpecialTokenIds = specialTokens.Values.ToHashSet();
        MaxLength = maxLength;
    }

    public Tokenizer Inner { get; }

    public TokenizerFamily Family { get; }

    /// <summary>Added special tokens (content to id), matched in text when encoding and hidden when decoding.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    public IReadOnlySet<int> SpecialTokenIds { get; }

    /// <summary>The tokenizer's <c>model_max_length</c>, when it states a sensible one.</summary>
    public int? MaxLength { get; }

    public int VocabularySize => _tokenBytes.Length;

    /// <summary>Encodes text as it is: no BOS/EOS or other template tokens are added.</summary>
    public int[] Encode(string text) => Inner switch
    {
        SentencePieceTokenizer sp => [.. sp.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false)],
        BertTokenizer bert => [.. bert.EncodeToIds(text, addSpecialTokens: false)],
        _ => [.. Inner.EncodeToIds(text)],
    };

    public int? TokenId(string token) =>
        SpecialTokens.TryGetValue(token, out var id) ? id : null;

    /// <summary>The raw bytes a token stands for; empty for special tokens and ids outside the vocabulary.</summary>
    public ReadOnlySpan<byte> GetTokenBytes(int id) =>
        (uint)id < (uint)_tokenBytes.Length && !SpecialTokenIds.Contains(id) ? _tokenBytes[id] : [];

    /// <summary>Decodes ids to text, skipping special tokens; invalid UTF-8 becomes U+FFFD.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var buffer = new List<byte>(ids.Length * 4);
        foreach (var id in ids)
        {
            buffer.AddRange(GetTokenBytes(id));
        }

        return Encoding.UTF8.GetString([.. buffer]);
    }
}
