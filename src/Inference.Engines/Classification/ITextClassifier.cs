namespace Inference.Engines.Classification;

/// <summary>
/// A text classification model (Hugging Face sequence classification: a label for a text, with a probability for each
/// label), in the shape of Microsoft.Extensions.AI's clients so that it composes with delegating middleware the same way.
/// </summary>
public interface ITextClassifier : IDisposable
{
    /// <summary>Classifies each of <paramref name="inputs"/>, answered in order.</summary>
    Task<TextClassificationResponse> ClassifyAsync(IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>A service the classifier or one it wraps offers (<see cref="TextClassifierMetadata"/>, the engine's model).</summary>
    object? GetService(Type serviceType, object? serviceKey = null);
}
