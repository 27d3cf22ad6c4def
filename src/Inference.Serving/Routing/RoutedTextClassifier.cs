using Inference.Engines.Classification;

namespace Inference.Serving.Routing;

/// <summary>A request's classifier: its model and fallbacks, run by a <see cref="RouteRunner"/>.</summary>
public sealed class RoutedTextClassifier(RouteRunner runner) : ITextClassifier
{
    public RouteRunner Runner => runner;

    public async Task<TextClassificationResponse> ClassifyAsync(
        IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await runner.RunAsync((model, attempt) => model.Classifier!.ClassifyAsync(inputs, options, attempt.Token), cancellationToken);
        return new TextClassificationResponse(response.Classifications)
        {
            ModelId = runner.AnsweredBy.Id,
            CreatedAt = response.CreatedAt,
            Usage = response.Usage,
            AdditionalProperties = response.AdditionalProperties,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        runner.Decision.Model.Classifier?.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        // The models' classifiers belong to the catalog.
    }
}
