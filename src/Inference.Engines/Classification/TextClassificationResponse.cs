using Microsoft.Extensions.AI;

namespace Inference.Engines.Classification;

/// <summary>The classifications of a call's inputs, in order, with the model and the tokens it read.</summary>
public sealed class TextClassificationResponse(IReadOnlyList<TextClassification> classifications)
{
    public IReadOnlyList<TextClassification> Classifications { get; } = classifications ?? throw new ArgumentNullException(nameof(classifications));

    public string? ModelId { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public UsageDetails? Usage { get; init; }

    public AdditionalPropertiesDictionary? AdditionalProperties { get; set; }
}
