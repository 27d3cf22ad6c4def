using System.Buffers;
using System.Numerics.Tensors;

namespace Inference.Onnx.Generation;

/// <summary>
/// Picks the next token from a step's logits: penalties, then greedy argmax or temperature / top-k / top-p sampling.
/// Buffers are rented once per generation, so a step allocates nothing.
/// </summary>
internal sealed class TokenSampler : IDisposable
{
    private readonly GenerationSettings _settings;
    private readonly int _vocab;
    private readonly Random _random;
    private readonly float[] _scores;
    private readonly float[] _probs;
    private readonly int[] _ids;
    private readonly int[] _outputCounts;
    private readonly bool[] _seen;
    private readonly List<int> _touched = [];
    private readonly PriorityQueue<int, float> _heap = new();

    public TokenSampler(GenerationSettings settings, int vocabSize, ReadOnlySpan<int> promptIds)
    {
        _settings = settings;
        _vocab = vocabSize;
        _random = settings.Seed is long seed ? new Random(unchecked((int)seed ^ (int)(seed >> 32))) : new Random();
        _scores = ArrayPool<float>.Shared.Rent(vocabSize);
        _probs = ArrayPool<float>.Shared.Rent(vocabSize);
        _ids = ArrayPool<int>.Shared.Rent(vocabSize);
        _outputCounts = ArrayPool<int>.Shared.Rent(vocabSize);
        _seen = ArrayPool<bool>.Shared.Rent(vocabSize);
        Array.Clear(_outputCounts, 0, vocabSize);
        Array.Clear(_seen, 0, vocabSize);
        foreach (var id in promptIds)
        {
            MarkSeen(id);
        }
    }

    /// <summary>Records a generated token for the penalties.</summary>
    public void Accept(int token)
    {
        MarkSeen(token);
        _outputCounts[token]++;
    }

    public int Next(ReadOnlySpan<float> logits)
    {
        logits = logits[.._vocab];
        if (_settings.IsGreedy && !_settings.HasPenalties)
        {
            return TensorPrimitives.IndexOfMax(logits);
        }

        var scores = _scores.AsSpan(0, _vocab);
        logits.CopyTo(scores);
        ApplyPenalties(scores);
        if (_settings.IsGreedy)
        {
            return TensorPrimitives.IndexOfMax(scores);
        }

        TensorPrimitives.Multiply(scores, 1f / _settings.Temperature, scores);
        var count = SelectCandidates(scores);
        var max = float.NegativeInfinity;
        for (var j = 0; j < count; j++)
        {
            max = Math.Max(max, scores[_ids[j]]);
        }

        var sum = 0f;
        for (var j = 0; j < count; j++)
        {
            sum += _probs[j] = MathF.Exp(scores[_ids[j]] - max);
        }

        if (_settings.TopP < 1f)
        {
            (count, sum) = Nucleus(count, sum);
        }

        if (_settings.MinP > 0f)
        {
            (count, sum) = MinP(count, sum);
        }

        // Tokens of weight 0 (masked to -inf by a grammar) are never drawn, even when rounding leaves r above 0 at the end.
        var r = (float)_random.NextDouble() * sum;
        var last = 0;
        for (var j = 0; j < count; j++)
        {
            var p = _probs[j];
            if (p > 0f)
            {
                last = j;
                if (r < p)
                {
                    return _ids[j];
                }

                r -= p;
            }
        }

        return _ids[last];
    }

    private void MarkSeen(int id)
    {
        if ((uint)id < (uint)_vocab && !_seen[id])
        {
            _seen[id] = true;
            _touched.Add(id);
        }
    }

    private void ApplyPenalties(Span<float> scores)
    {
        foreach (var id in _touched)
        {
            var s = scores[id];
            if (_settings.RepetitionPenalty != 1f)
            {
                s = s > 0 ? s / _settings.RepetitionPenalty : s * _settings.RepetitionPenalty;
            }

            var n = _outputCounts[id];
            if (n > 0)
            {
                s -= (n * _settings.FrequencyPenalty) + _settings.PresencePenalty;
            }

            scores[id] = s;
        }
    }

    /// <summary>Fills <c>_ids</c> with the candidate tokens: the top K by score, or every token.</summary>
    private int SelectCandidates(ReadOnlySpan<float> scores)
    {
        var k = _settings.TopK;
        if (k <= 0 || k >= _vocab)
        {
            for (var i = 0; i < _vocab; i++)
            {
                _ids[i] = i;
            }

            return _vocab;
        }

        // A min-heap of the best K keeps this O(V log K) instead of sorting the vocabulary.
        var heap = _heap;
        heap.Clear();
        for (var i = 0; i < _vocab; i++)
        {
            if (heap.Count < k)
            {
                heap.Enqueue(i, scores[i]);
            }
            else if (scores[i] > scores[heap.Peek()])
            {
                heap.DequeueEnqueue(i, scores[i]);
            }
        }

        var count = heap.Count;
        for (var j = count - 1; j >= 0; j--)
        {
            _ids[j] = heap.Dequeue();
        }

        return count;
    }

    /// <summary>Keeps the smallest set of most likely candidates whose mass reaches top_p.</summary>
    private (int Count, float Sum) Nucleus(int count, float sum)
    {
        // Candidates below this share can't be in the nucleus: together they hold less than (1 - top_p) of the
        // mass, so dropping them before sorting keeps the result exact while sorting far fewer entries.
        var floor = (1f - _settings.TopP) * sum / count;
        var kept = 0;
        for (var j = 0; j < count; j++)
        {
            if (_probs[j] >= floor)
            {
                _probs[kept] = -_probs[j];
                _ids[kept++] = _ids[j];
            }
        }

        Array.Sort(_probs, _ids, 0, kept);
        var target = _settings.TopP * sum;
        var mass = 0f;
        var n = 0;
        while (n < kept)
        {
            _probs[n] = -_probs[n];
            mass += _probs[n++];
            if (mass >= target)
            {
                break;
            }
        }

        return (n, mass);
    }

    /// <summary>Drops candidates less likely than min_p times the most likely one (whose weight is 1 here).</summary>
    private (int Count, float Sum) MinP(int count, float sum)
    {
        var kept = 0;
        var mass = 0f;
        for (var j = 0; j < count; j++)
        {
            if (_probs[j] >= _settings.MinP)
            {
                mass += _probs[kept] = _probs[j];
                _ids[kept++] = _ids[j];
            }
        }

        return kept > 0 ? (kept, mass) : (count, sum);
    }

    public void Dispose()
    {
        ArrayPool<float>.Shared.Return(_scores);
        ArrayPool<float>.Shared.Return(_probs);
        ArrayPool<int>.Shared.Return(_ids);
        ArrayPool<int>.Shared.Return(_outputCounts);
        ArrayPool<bool>.Shared.Return(_seen);
    }
}
