using Inference.Engines.Classification;

namespace Inference.Serving.Local;

/// <summary>A resident model's classifier, leased per call as the chat client is (loading the model if it is out).</summary>
internal sealed class ResidentTextClassifier(ResidentModel model, TimeProvider time) : ITextClassifier
{
    public Task<TextClassificationResponse> ClassifyAsync(
        IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default) =>
        model.LeasedAsync(loaded => loaded.Classifier!.ClassifyAsync(inputs, options, cancellationToken), options?.AdditionalProperties, time, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ResidentModel) ? model : model.Loaded?.Classifier?.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        // The model belongs to its ResidentModel.
    }
}
