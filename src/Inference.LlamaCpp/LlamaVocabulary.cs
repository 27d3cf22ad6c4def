using System.Runtime.InteropServices;
using System.Text;
using Inference.Engines.Grammars;
using LLama.Native;

namespace Inference.LlamaCpp;

/// <summary>
/// A model's tokens as llama.cpp reads them from the GGUF: tokenizing (special tokens parsed, BOS as the model asks),
/// each token's bytes for streaming, and which tokens end generation.
/// </summary>
internal sealed class LlamaVocabulary : IPromptTokenizer
{
    private readonly SafeLlamaModelHandle _model;
    private readonly bool[] _stops;
    private readonly bool[] _shown;
    private readonly Dictionary<int, byte[]> _unescaped = [];
    private readonly int? _bos;
    private readonly Lazy<TokenTrie> _trie;

    /// <param name="model">The loaded model.</param>
    /// <param name="stopTexts">End-of-turn texts of the chat format: one that is a single token ends generation as that token.</param>
    /// <param name="markup">Markup the chat format reads the output by: a special token of that text shows in the output.</param>
    public LlamaVocabulary(SafeLlamaModelHandle model, IEnumerable<string> stopTexts, IEnumerable<string> markup)
    {
        _model = model;
        var vocab = model.Vocab;
        Count = vocab.Count;
        _bos = vocab.ShouldAddBOS && vocab.BOS is { } bos ? (int)bos : null;
        _stops = new bool[Count];
        for (var id = 0; id < Count; id++)
        {
            _stops[id] = ((LLamaToken)id).IsEndOfGeneration(vocab);
        }

        // A template's end-of-turn text that is one token of this vocabulary ends generation as that token.
        foreach (var text in stopTexts)
        {
            if (Tokenize(text, addBos: false) is [var single])
            {
                _stops[single] = true;
            }
        }

        _shown = new bool[Count];
        foreach (var text in markup)
        {
            if (Tokenize(text, addBos: false) is [var single] && !_stops[single])
            {
                _shown[single] = true;
            }
        }

        if (vocab.Type == LLamaVocabType.SentencePiece)
        {
            // llama.cpp writes a SentencePiece vocabulary's user-defined tokens (Gemma's runs of '▁') as they are
            // stored; their '▁' is a space, as in its other pieces and as Hugging Face decodes them.
            var buffer = new byte[64];
            for (var id = 0; id < Count; id++)
            {
                var text = Encoding.UTF8.GetString(Bytes(id, ref buffer, special: false));
                if (text.Contains('\u2581', StringComparison.Ordinal))
                {
                    _unescaped[id] = Encoding.UTF8.GetBytes(text.Replace('\u2581', ' '));
                }
            }
        }

        StopTokens = Enumerable.Range(0, Count).Where(id => _stops[id]).ToHashSet();
        _trie = new Lazy<TokenTrie>(() =>
        {
            var buffer = new byte[64];
            return new TokenTrie(Count, id => Bytes(id, ref buffer).ToArray());
        });
    }

    /// <summary>The tokens that end generation.</summary>
    public IReadOnlyCollection<int> StopTokens { get; }

    /// <summary>The vocabulary as a trie of its tokens' bytes, built on first use: grammar masking in one pass.</summary>
    public TokenTrie Trie => _trie.Value;

    public int Count { get; }

    /// <summary>The model whose vocabulary this is (llama.cpp's grammar sampler reads tokens from it).</summary>
    public SafeLlamaModelHandle Model => _model;

    public bool IsStop(int token) => _stops[token];

    IReadOnlyList<int> IPromptTokenizer.Tokenize(string text, bool addSpecial) => Tokenize(text, addSpecial);

    string IPromptTokenizer.Detokenize(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        var buffer = new byte[64];
        foreach (var id in ids)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
            bytes.AddRange(Bytes(id, ref buffer, special: true));
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    string IPromptTokenizer.Piece(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
        return Text(_model, id);
    }

    int IPromptTokenizer.VocabularySize => Count;

    /// <summary>The prompt's tokens; with <paramref name="addBos"/> the model's BOS leads, unless the text already has it.</summary>
    public int[] Tokenize(string text, bool addBos = true)
    {
        var tokens = _model.Tokenize(text, false, true, Encoding.UTF8);
        var ids = MemoryMarshal.Cast<LLamaToken, int>(tokens.AsSpan());
        return addBos && _bos is int bos && (ids.IsEmpty || ids[0] != bos) ? [bos, .. ids] : ids.ToArray();
    }

    /// <summary>
    /// The bytes a token stands for (control tokens stand for none, but the chat format's markup), in
    /// <paramref name="buffer"/>, grown if needed.
    /// </summary>
    public ReadOnlySpan<byte> Bytes(int token, ref byte[] buffer) => Bytes(token, ref buffer, (uint)token < (uint)_shown.Length && _shown[token]);

    /// <summary>The text of a token of <paramref name="model"/>, special tokens included (a template's BOS and EOS).</summary>
    public static string Text(SafeLlamaModelHandle model, int token)
    {
        var buffer = new byte[64];
        return Encoding.UTF8.GetString(Bytes(model, token, ref buffer, special: true));
    }

    private ReadOnlySpan<byte> Bytes(int token, ref byte[] buffer, bool special) =>
        _unescaped.TryGetValue(token, out var unescaped) ? unescaped : Bytes(_model, token, ref buffer, special);

    private static ReadOnlySpan<byte> Bytes(SafeLlamaModelHandle model, int token, ref byte[] buffer, bool special)
    {
        var length = (int)model.TokenToSpan((LLamaToken)token, buffer, 0, special);
        if (length > buffer.Length)
        {
            buffer = new byte[length];
            length = (int)model.TokenToSpan((LLamaToken)token, buffer, 0, special);
        }

        return buffer.AsSpan(0, length);
    }
}
