namespace Inference.Serving.Catalog;

/// <summary>The version a model's calls are served by, where a registry keeps versions.</summary>
public interface IModelVersions
{
    /// <summary>The model's default version; null when the registry does not know the model.</summary>
    string? VersionOf(string model);
}
