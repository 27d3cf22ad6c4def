using Microsoft.Extensions.AI;

namespace Inference.Serving.Routing;

/// <summary>A request's embedding generator: its model and fallbacks, run by a <see cref="RouteRunner"/>.</summary>
public sealed class RoutedEmbeddingGenerator(RouteRunner runner) : IEmbeddingGenerator<string, Embedding<float>>
{
    public RouteRunner Runner => runner;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values as IReadOnlyList<string> ?? [.. values];
        var embeddings = await runner.RunAsync((model, attempt) => model.EmbeddingGenerator!.GenerateAsync(inputs, options, attempt.Token), cancellationToken);
        foreach (var embedding in embeddings)
        {
            embedding.ModelId = runner.AnsweredBy.Id;
        }

        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        runner.Decision.Model.EmbeddingGenerator?.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        // The models' generators belong to the catalog.
    }
}
