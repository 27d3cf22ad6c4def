namespace Inference.Storage.Data;

/// <summary>A model the platform serves: who runs it, what it can do, and what to fall back to.</summary>
public sealed class RegisteredModel
{
    public required string Id { get; set; }

    /// <summary>chat, embedding or classification.</summary>
    public required string Kind { get; set; }

    /// <summary>local, worker, embeddings, openai or ollama.</summary>
    public required string Provider { get; set; }

    public int? ContextLength { get; set; }

    public long? ParameterCount { get; set; }

    public string? Quantization { get; set; }

    public string? ChatTemplate { get; set; }

    public int? EmbeddingLength { get; set; }

    /// <summary>
    /// Set on a row added to route a model through a provider from the database (like <c>Inference:Remote:&lt;id&gt;</c>):
    /// an entry of <c>ConnectionStrings</c> to read, so keys stay in configuration and secrets.
    /// </summary>
    public string? ConnectionName { get; set; }

    /// <summary>Or the connection string itself, <c>Endpoint=...;Model=...</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Models to try instead, in order (a JSON array).</summary>
    public string Fallbacks { get; set; } = "[]";

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Updated { get; set; }

    public List<ModelVersion> Versions { get; } = [];
}
