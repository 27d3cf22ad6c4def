namespace Inference.Engines.Classification;

/// <summary>What a classifier is: who runs it, which model, its labels and the tokens an input may have.</summary>
public sealed class TextClassifierMetadata(string? providerName, Uri? providerUri, string? defaultModelId, IReadOnlyList<string> labels, int? maxInputTokens)
{
    public string? ProviderName { get; } = providerName;

    public Uri? ProviderUri { get; } = providerUri;

    public string? DefaultModelId { get; } = defaultModelId;

    public IReadOnlyList<string> Labels { get; } = labels ?? throw new ArgumentNullException(nameof(labels));

    public int? MaxInputTokens { get; } = maxInputTokens;
}
