using System.Text;
using Microsoft.ML.Tokenizers;

namespace Inference.Onnx.Tokenization;

/// <summary>
/// A model's tokenizer: encoding through Microsoft.ML.Tokenizers, built from the model's own files, and decoding through
/// a per-token byte table so that streamed text can be assembled byte by byte (see <see cref="Utf8TokenDecoder"/>).
/// </summary>
public sealed class ModelTokenizer : IPromptTokenizer
{
    private readonly byte[][] _tokenBytes;
    private readonly Func<string, int[]>? _encoder;
    private readonly Dictionary<int, byte[]> _specialBytes;
    private readonly HashSet<int> _shown = [];

    internal ModelTokenizer(
        Tokenizer? inner,
        TokenizerFamily family,
        byte[][] tokenBytes,
        IReadOnlyDictionary<string, int> specialTokens,
        int? maxLength,
        Func<string, int[]>? encoder = null)
    {
        Inner = inner;
        _encoder = encoder;
        Family = family;
        _tokenBytes = tokenBytes;
        SpecialTokens = specialTokens;
        _specialBytes = specialTokens.ToDictionary(p => p.Value, p => Encoding.UTF8.GetBytes(p.Key));
        SpecialTokenIds = specialTokens.Values.ToHashSet();
        MaxLength = maxLength;
    }

    /// <summary>
    /// The Microsoft.ML.Tokenizers tokenizer that encodes, or null for a family it lacks (SentencePiece-style BPE from
    /// tokenizer.json), whose encoder the loader gives.
    /// </summary>
    public Tokenizer? Inner { get; }

    public TokenizerFamily Family { get; }

    /// <summary>Added special tokens (content to id), matched in text when encoding and hidden when decoding.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    public IReadOnlySet<int> SpecialTokenIds { get; }

    /// <summary>The tokenizer's <c>model_max_length</c>, when it states a sensible one.</summary>
    public int? MaxLength { get; }

    public int VocabularySize => _tokenBytes.Length;

    /// <summary>Encodes text as it is: no BOS/EOS or other template tokens are added.</summary>
    public int[] Encode(string text) => _encoder is { } encoder ? encoder(text) : Inner switch
    {
        SentencePieceTokenizer sp => [.. sp.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false)],
        BertTokenizer bert => [.. bert.EncodeToIds(text, addSpecialTokens: false)],
        _ => [.. Inner!.EncodeToIds(text)],
    };

    public int? TokenId(string token) =>
        SpecialTokens.TryGetValue(token, out var id) ? id : null;

    /// <summary>
    /// The raw bytes a token stands for; empty for ids outside the vocabulary and special tokens, but those
    /// <see cref="Show"/> made visible.
    /// </summary>
    public ReadOnlySpan<byte> GetTokenBytes(int id) =>
        (uint)id >= (uint)_tokenBytes.Length ? []
        : !SpecialTokenIds.Contains(id) ? _tokenBytes[id]
        : _shown.Contains(id) ? _specialBytes[id]
        : [];

    /// <summary>
    /// Shows these special tokens' text in decoded output (the markup a chat format reads its output by: think tags,
    /// Harmony's channels); other special tokens stay hidden. Call before the model serves.
    /// </summary>
    public void Show(IEnumerable<string> markup)
    {
        ArgumentNullException.ThrowIfNull(markup);
        foreach (var text in markup)
        {
            if (SpecialTokens.TryGetValue(text, out var id))
            {
                _shown.Add(id);
            }
        }
    }

    /// <summary>The BOS id <see cref="IPromptTokenizer.Tokenize"/> adds with its special tokens, when the model's tokenizer adds one.</summary>
    public int? BosTokenId { get; internal set; }

    IReadOnlyList<int> IPromptTokenizer.Tokenize(string text, bool addSpecial) =>
        addSpecial && BosTokenId is int bos ? [bos, .. Encode(text)] : Encode(text);

    string IPromptTokenizer.Detokenize(IReadOnlyList<int> ids)
    {
        var buffer = new List<byte>(ids.Count * 4);
        foreach (var id in ids)
        {
            buffer.AddRange(Bytes(id));
        }

        return Encoding.UTF8.GetString([.. buffer]);
    }

    string IPromptTokenizer.Piece(int id) => Encoding.UTF8.GetString(Bytes(id));

    int IPromptTokenizer.VocabularySize => VocabularySize;

    /// <summary>A token's bytes, special tokens written out; an id outside the vocabulary is refused.</summary>
    private byte[] Bytes(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, _tokenBytes.Length);
        return _specialBytes.TryGetValue(id, out var special) ? special : _tokenBytes[id];
    }

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
