namespace Inference.Engines;

/// <summary>How the APIs, the registry and configuration name a <see cref="ModelKind"/>: chat, embedding, classification.</summary>
public static class ModelKindNames
{
    public const string Chat = "chat";
    public const string Embedding = "embedding";
    public const string Classification = "classification";

    public static string Of(ModelKind kind) => kind switch
    {
        ModelKind.Chat => Chat,
        ModelKind.Embedding => Embedding,
        _ => Classification,
    };

    /// <summary>A kind by its name (plurals and the task names text-generation, embeddings, text-classification too); null when unknown.</summary>
    public static ModelKind? Parse(string? name) => name?.ToLowerInvariant() switch
    {
        "chat" or "llm" or "text-generation" => ModelKind.Chat,
        "embedding" or "embeddings" => ModelKind.Embedding,
        "classification" or "classifier" or "text-classification" => ModelKind.Classification,
        _ => null,
    };

    /// <summary>The Hugging Face task a kind serves: text-generation, feature-extraction style "embeddings", text-classification.</summary>
    public static string TaskOf(ModelKind kind) => kind switch
    {
        ModelKind.Chat => "text-generation",
        ModelKind.Embedding => "embeddings",
        _ => "text-classification",
    };
}
