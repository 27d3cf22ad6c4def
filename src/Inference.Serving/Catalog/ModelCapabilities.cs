namespace Inference.Serving.Catalog;

/// <summary>
/// What a model can do and how big it is, as every service reports it in <c>/v1/models</c> and as the Api reads it
/// back from a Worker or Embeddings service it routes to.
/// </summary>
/// <param name="Tasks">"text-generation" for chat models, "embeddings" for embedding models, "text-classification" for classifiers (and "rerank" for a cross-encoder).</param>
/// <param name="Labels">A classifier's labels, in the order of its logits.</param>
/// <param name="ToolCalls">How a chat model writes tool calls, as recognised from its template ("hermes", "llama3", "mistral", "harmony").</param>
/// <param name="Reasoning">Where a reasoning model writes its reasoning ("think", "harmony"); absent for models that do not reason.</param>
public sealed record ModelCapabilities(
    IReadOnlyList<string> Tasks,
    int? ContextLength = null,
    long? ParameterCount = null,
    string? Quantization = null,
    string? ChatTemplate = null,
    int? EmbeddingLength = null,
    string? Architecture = null,
    string? Format = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Labels = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? ToolCalls = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Reasoning = null)
{
    public const string TextGeneration = "text-generation";
    public const string Embeddings = "embeddings";
    public const string TextClassification = "text-classification";

    /// <summary>Also served by a classifier with one output (a cross-encoder): a query-document pair's relevance.</summary>
    public const string Rerank = "rerank";

    public static ModelCapabilities Of(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new(
            model.Kind == ModelKind.Classification && model.Labels is { Count: 1 } ? [ModelKindNames.TaskOf(model.Kind), Rerank] : [ModelKindNames.TaskOf(model.Kind)],
            model.ContextLength,
            model.ParameterCount,
            model.Quantization,
            model.ChatTemplate,
            model.Dimensions ?? model.EmbeddingLength,
            model.Architecture,
            model.Format,
            model.Labels,
            model.Description.ToolCallSyntax,
            model.Description.Reasoning);
    }
}
