namespace Inference.Serving.Catalog;

/// <summary>
/// What a model can do and how big it is, as every service reports it in <c>/v1/models</c> and as the Api reads it
/// back from a Worker or Embeddings service it routes to.
/// </summary>
/// <param name="Tasks">"text-generation" for chat models, "embeddings" for embedding models.</param>
public sealed record ModelCapabilities(
    IReadOnlyList<string> Tasks,
    int? ContextLength = null,
    long? ParameterCount = null,
    string? Quantization = null,
    string? ChatTemplate = null,
    int? EmbeddingLength = null,
    string? Architecture = null,
    string? Format = null)
{
    public const string TextGeneration = "text-generation";
    public const string Embeddings = "embeddings";

    public static ModelCapabilities Of(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new(
            [model.Kind == ModelKind.Chat ? TextGeneration : Embeddings],
            model.ContextLength,
            model.ParameterCount,
            model.Quantization,
            model.ChatTemplate,
            model.Dimensions ?? model.EmbeddingLength,
            model.Architecture,
            model.Format);
    }
}
