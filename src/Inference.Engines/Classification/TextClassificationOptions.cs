using Microsoft.Extensions.AI;

namespace Inference.Engines.Classification;

/// <summary>Options of one classification call.</summary>
public sealed class TextClassificationOptions
{
    /// <summary>The model asked for, when the classifier serves several.</summary>
    public string? ModelId { get; set; }

    /// <summary>
    /// A text each input is read together with, first (<c>[CLS] pair [SEP] input [SEP]</c>, token types 0 then 1): a
    /// cross-encoder's query, its inputs the documents scored against it.
    /// </summary>
    public string? PairWith { get; set; }

    /// <summary>
    /// Cut an input that does not fit beside <see cref="PairWith"/> to what fits (the result says so) instead of
    /// refusing it. A single input is never cut: a label for part of a text would be a wrong answer given as a right one.
    /// </summary>
    public bool Truncate { get; set; }

    public AdditionalPropertiesDictionary? AdditionalProperties { get; set; }
}
