namespace Inference.Engines.Classification;

/// <summary>One input's classification: the model's logits, their softmax, and the most probable label.</summary>
public sealed class TextClassification
{
    public TextClassification(IReadOnlyList<string> labels, float[] logits, int inputTokens)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(logits);
        if (labels.Count != logits.Length || logits.Length == 0)
        {
            throw new ArgumentException($"{logits.Length} logits for {labels.Count} labels (at least one).", nameof(logits));
        }

        Labels = labels;
        Logits = logits;
        Probabilities = SoftMax(logits, out var index);
        InputTokens = inputTokens;
        Index = index;
    }

    /// <summary>The model's labels, in the order of <see cref="Logits"/> (config.json's <c>id2label</c>).</summary>
    public IReadOnlyList<string> Labels { get; }

    public float[] Logits { get; }

    /// <summary>The softmax of <see cref="Logits"/>.</summary>
    public float[] Probabilities { get; }

    /// <summary>The input's tokens, special tokens included.</summary>
    public int InputTokens { get; }

    /// <summary>True when the input was cut to fit beside its pair (<see cref="TextClassificationOptions.Truncate"/>).</summary>
    public bool Truncated { get; init; }

    /// <summary>The most probable label's index.</summary>
    public int Index { get; }

    public string Label => Labels[Index];

    /// <summary>The most probable label's probability.</summary>
    public float Score => Probabilities[Index];

    /// <summary>exp(x - max) / sum, in double for the sum, as the reference implementations compute it.</summary>
    private static float[] SoftMax(float[] logits, out int index)
    {
        index = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[index])
            {
                index = i;
            }
        }

        Span<double> exponentials = logits.Length <= 256 ? stackalloc double[logits.Length] : new double[logits.Length];
        var sum = 0d;
        for (var i = 0; i < logits.Length; i++)
        {
            sum += exponentials[i] = Math.Exp(logits[i] - logits[index]);
        }

        var probabilities = new float[logits.Length];
        for (var i = 0; i < logits.Length; i++)
        {
            probabilities[i] = (float)(exponentials[i] / sum);
        }

        return probabilities;
    }
}
