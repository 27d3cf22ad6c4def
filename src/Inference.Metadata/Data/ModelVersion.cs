namespace Inference.Metadata.Data;

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
}
