using Inference.Engines.Classification;

namespace Inference.Serving.Local;

/// <summary>A resident model's classifier, leased per call as the chat client is (loading the model if it is out).</summary>
internal sealed class ResidentTextClassifier(ResidentModel model, TimeProvider time) : ITextClassifier
{
    public async Task<TextClassificationResponse> ClassifyAsync(
        IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var loaded = await model.AcquireAsync(cancellationToken);
        try
        {
            return await loaded.Classifier!.ClassifyAsync(inputs, options, cancellationToken);
        }
        finally
        {
            model.Release(ResidentOptions.KeepAliveOf(options?.AdditionalProperties), time.GetUtcNow());
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ResidentModel) ? model : model.Loaded?.Classifier?.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        // The model belongs to its ResidentModel.
    }
}
