namespace Inference.Storage.Data;

/// <summary>
/// One configuration a model has been served with. A new version is recorded whenever what serves the model changes
/// (provider, endpoint, weights file, template, limits); the newest is the default.
/// </summary>
public sealed class ModelVersion
{
    public long Id { get; set; }

    public required string ModelId { get; set; }

    /// <summary>"1", "2", ... per model.</summary>
    public required string Version { get; set; }

    public DateTimeOffset Created { get; set; }

    public bool IsDefault { get; set; }

    public bool Deprecated { get; set; }

    /// <summary>The serving configuration as JSON.</summary>
    public required string Configuration { get; set; }

    /// <summary>SHA-256 of <see cref="Configuration"/>, to tell whether it changed.</summary>
    public required string ConfigurationHash { get; set; }

    /// <summary><c>configuration</c> (recorded from what the service is configured to serve) or <c>registered</c> (<c>POST /models/register</c>).</summary>
    public string Origin { get; set; } = VersionOrigins.Configuration;

    public string? Description { get; set; }

    /// <summary>The version's <c>model_type</c> (llm, embedding, ...).</summary>
    public string? ModelType { get; set; }

    /// <summary>The version's <c>framework</c> (onnx, gguf, openai, ...).</summary>
    public string? Framework { get; set; }

    /// <summary>Tags as a JSON array.</summary>
    public string Tags { get; set; } = "[]";

    /// <summary>The version's <c>performance_metrics</c> as a JSON object, as registered.</summary>
    public string PerformanceMetrics { get; set; } = "{}";

    /// <summary>A registered local version: its folder or file.</summary>
    public string? Path { get; set; }

    /// <summary>A registered remote version: who serves it (worker, embeddings, openai, ollama).</summary>
    public string? Provider { get; set; }

    /// <summary>A registered remote version: an entry of <c>ConnectionStrings</c> to read (keys stay in configuration).</summary>
    public string? ConnectionName { get; set; }

    /// <summary>A registered remote version: its connection string (<c>Endpoint=...;Model=...</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>chat, embedding or classification.</summary>
    public string? Kind { get; set; }

    /// <summary>A registered version's price per million prompt tokens (null: the configured price, if any).</summary>
    public decimal? InputPricePerMillion { get; set; }

    /// <summary>A registered version's price per million completion tokens.</summary>
    public decimal? OutputPricePerMillion { get; set; }

    public string? RegisteredBy { get; set; }

    /// <summary>Lineage: the version that was active when this one replaced it.</summary>
    public string? Replaced { get; set; }

    public DateTimeOffset? ActivatedAt { get; set; }

    public string? ActivatedBy { get; set; }
}
