using Microsoft.Extensions.AI;

namespace Inference.Engines.Classification;

/// <summary>Options of one classification call.</summary>
public sealed class TextClassificationOptions
{
    /// <summary>The model asked for, when the classifier serves several.</summary>
    public string? ModelId { get; set; }

    public AdditionalPropertiesDictionary? AdditionalProperties { get; set; }
}
