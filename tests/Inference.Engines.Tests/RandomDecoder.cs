using System.Text;

namespace Inference.Engines.Tests;

/// <summary>
/// Decodes through a grammar the way an engine does, over a made-up vocabulary (every printable ASCII character, some
/// multi-character JSON pieces, multi-byte and half-character tokens) with random logits: what a random-weights model
/// would write under the constraint.
/// </summary>
internal sealed class RandomDecoder
{
    public const int EndToken = 0;

    private static readonly byte[][] Vocabulary = BuildVocabulary();

    public static TokenTrie Trie { get; } = new(Vocabulary.Length, id => Vocabulary[id]);

    public static string Decode(GbnfGrammar grammar, Random random, int maxTokens = 4000)
    {
        using var constraint = new GrammarConstraint(grammar, Trie, [EndToken]);
        var scores = new float[Vocabulary.Length];
        var bytes = new List<byte>();
        for (var step = 0; step < maxTokens; step++)
        {
            if (constraint.IsClosed)
            {
                break;
            }

            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = (float)random.NextDouble();
            }

            scores[EndToken] = 0.5f;
            var allowed = constraint.Mask(scores);
            Assert.True(allowed > 0, "the grammar left no token to choose");
            var token = Array.IndexOf(scores, scores.Max());
            Assert.True(constraint.Allows(token));
            if (token == EndToken)
            {
                return Encoding.UTF8.GetString([.. bytes]);
            }

            constraint.Accept(token);
            bytes.AddRange(Vocabulary[token]);
        }

        Assert.True(constraint.CanEnd, "decoding stopped before the match was whole");
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static byte[][] BuildVocabulary()
    {
        var tokens = new List<byte[]> { Array.Empty<byte>() };
        for (var c = 0x20; c < 0x7F; c++)
        {
            tokens.Add([(byte)c]);
        }

        foreach (var piece in (string[])["{\"", "\":", "\": ", "\", \"", "\",\"", "true", "false", "null", "}", "]}", "\"}", "12", "00", "-1", ".5", "ab", "cat", " the", "\\n", "\n", "\t", "é", "ü", "日本", "💡"])
        {
            tokens.Add(Encoding.UTF8.GetBytes(piece));
        }

        // Half characters: a lead byte alone, and a continuation alone.
        tokens.Add([0xC3]);
        tokens.Add([0xA9]);
        return [.. tokens];
    }
}
