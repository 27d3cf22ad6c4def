using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Inference.Onnx.Tokenization;

/// <summary>
/// SentencePiece-style BPE read from a <c>tokenizer.json</c> (Gemma 3's): added tokens split out first, spaces written
/// as '▁', merges applied by rank over each run of text as a whole (no pre-tokenizer splits it), and a character the
/// vocabulary lacks written as its UTF-8 bytes (<c>&lt;0xNN&gt;</c> pieces, byte fallback).
/// </summary>
internal sealed class SentencePieceBpe
{
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<(int Left, int Right), (int Rank, int Merged)> _merges;
    private readonly int[] _bytes = new int[256];
    private readonly int _unknown;
    private readonly AddedTokenMatcher _added;

    public SentencePieceBpe(JsonElement model, IEnumerable<KeyValuePair<string, int>> addedTokens)
    {
        _vocab = model.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
        _merges = [];
        var rank = 0;
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            var (left, right) = merge.ValueKind == JsonValueKind.Array
                ? (merge[0].GetString()!, merge[1].GetString()!)
                : merge.GetString()!.Split(' ', 2) is [var a, var b] ? (a, b) : throw new JsonException($"merge '{merge}' is not two pieces");
            if (_vocab.TryGetValue(left, out var l) && _vocab.TryGetValue(right, out var r) && _vocab.TryGetValue(left + right, out var m))
            {
                _merges.TryAdd((l, r), (rank, m));
            }

            rank++;
        }

        for (var b = 0; b < 256; b++)
        {
            _bytes[b] = _vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
        }

        _unknown = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String && _vocab.TryGetValue(unk.GetString()!, out var u) ? u : 0;
        _added = new AddedTokenMatcher(addedTokens);
    }

    public IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 2);
        foreach (var (piece, id) in _added.Split(text))
        {
            if (id is int added)
            {
                ids.Add(added);
            }
            else
            {
                EncodeRun(piece.Replace(' ', '\u2581'), ids);
            }
        }

        return [.. ids];
    }

    /// <summary>BPE over one run: symbols start as characters; the lowest-ranked mergeable pair merges until none is left.</summary>
    private void EncodeRun(string text, List<int> ids)
    {
        var symbols = new List<(string Text, int Id)>();
        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            var c = char.IsSurrogatePair(text, i) ? text.Substring(i, 2) : text[i].ToString();
            symbols.Add((c, _vocab.TryGetValue(c, out var known) ? known : -1));
        }

        // Linked list over the symbols with a priority queue of adjacent pairs by rank (then position).
        var count = symbols.Count;
        var next = Enumerable.Range(1, count).ToArray();
        var previous = Enumerable.Range(-1, count).ToArray();
        var id = symbols.Select(s => s.Id).ToArray();
        var alive = Enumerable.Repeat(true, count).ToArray();
        var queue = new PriorityQueue<(int Left, int RightId, int LeftId), (int Rank, int Position)>();
        void Consider(int left)
        {
            var right = left >= 0 && left < count ? next[left] : count;
            if (left < 0 || right >= count || id[left] < 0 || id[right] < 0)
            {
                return;
            }

            if (_merges.TryGetValue((id[left], id[right]), out var merge))
            {
                queue.Enqueue((left, id[right], id[left]), (merge.Rank, left));
            }
        }

        for (var i = 0; i < count - 1; i++)
        {
            Consider(i);
        }

        while (queue.TryDequeue(out var pair, out _))
        {
            var left = pair.Left;
            var right = next[left];

            // Stale: the pair changed since it was queued.
            if (!alive[left] || right >= count || id[left] != pair.LeftId || id[right] != pair.RightId)
            {
                continue;
            }

            id[left] = _merges[(id[left], id[right])].Merged;
            alive[right] = false;
            next[left] = next[right];
            if (next[left] < count)
            {
                previous[next[left]] = left;
            }

            Consider(previous[left]);
            Consider(left);
        }

        for (var i = 0; i < count; i = next[i])
        {
            if (id[i] >= 0)
            {
                ids.Add(id[i]);
                continue;
            }

            // Byte fallback: a character the vocabulary lacks, as its UTF-8 bytes.
            foreach (var b in Encoding.UTF8.GetBytes(symbols[i].Text))
            {
                ids.Add(_bytes[b] >= 0 ? _bytes[b] : _unknown);
            }
        }
    }

    /// <summary>A piece's bytes: a byte-fallback piece is its byte, '▁' a space.</summary>
    public static byte[] PieceBytes(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b)
            ? [b]
            : Encoding.UTF8.GetBytes(piece.Replace('\u2581', ' '));
}
