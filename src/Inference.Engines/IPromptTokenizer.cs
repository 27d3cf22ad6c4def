namespace Inference.Engines;

/// <summary>
/// A local model's tokenizer as its engine runs it, for inspecting prompts (llama.cpp's <c>/tokenize</c> and
/// <c>/detokenize</c>): a chat client of a local model returns it from <c>GetService</c>.
/// </summary>
public interface IPromptTokenizer
{
    /// <summary>The ids of <paramref name="text"/>, special tokens in it matched; with <paramref name="addSpecial"/> the model's BOS leads when it has one.</summary>
    IReadOnlyList<int> Tokenize(string text, bool addSpecial);

    /// <summary>The text of <paramref name="ids"/>, special tokens written out; an id outside the vocabulary is an <see cref="ArgumentOutOfRangeException"/>.</summary>
    string Detokenize(IReadOnlyList<int> ids);

    /// <summary>One token's text (a special token's content; a partial UTF-8 sequence as its bytes decoded).</summary>
    string Piece(int id);

    /// <summary>The number of ids in the vocabulary.</summary>
    int VocabularySize { get; }
}
