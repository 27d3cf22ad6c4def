namespace Inference.Onnx.Tokenization;

/// <summary>
/// Finds a tokenizer's added tokens in text (special or not: <c>&lt;start_of_turn&gt;</c>, <c>&lt;think&gt;</c>), leftmost
/// and longest first, as Hugging Face's tokenizers split them out before the model's own algorithm runs.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Node _root = new();

    public AddedTokenMatcher(IEnumerable<KeyValuePair<string, int>> tokens)
    {
        foreach (var (content, id) in tokens)
        {
            if (content.Length == 0)
            {
                continue;
            }

            var node = _root;
            foreach (var c in content)
            {
                node = node.Next.TryGetValue(c, out var next) ? next : node.Next[c] = new Node();
            }

            node.Id = id;
        }
    }

    /// <summary>The pieces of <paramref name="text"/>: runs of plain text (id null) and added tokens (their id).</summary>
    public IEnumerable<(string Text, int? Id)> Split(string text)
    {
        var plain = 0;
        var i = 0;
        while (i < text.Length)
        {
            var (length, id) = Longest(text, i);
            if (length == 0)
            {
                i++;
                continue;
            }

            if (i > plain)
            {
                yield return (text[plain..i], null);
            }

            yield return (text.Substring(i, length), id);
            i += length;
            plain = i;
        }

        if (plain < text.Length)
        {
            yield return (text[plain..], null);
        }
    }

    private (int Length, int Id) Longest(string text, int start)
    {
        var node = _root;
        var best = (0, 0);
        for (var i = start; i < text.Length && node.Next.TryGetValue(text[i], out var next); i++)
        {
            node = next;
            if (node.Id is int id)
            {
                best = (i - start + 1, id);
            }
        }

        return best;
    }

    private sealed class Node
    {
        public Dictionary<char, Node> Next { get; } = [];

        public int? Id { get; set; }
    }
}
