namespace Inference.Serving.Remote;

/// <summary>The <c>Inference</c> settings of remote models: configured ones, and the services to discover models from.</summary>
public sealed class RemoteModelsOptions
{
    public Dictionary<string, RemoteModelDefinition> Remote { get; set; } = new(StringComparer.Ordinal);

    public ServiceDiscoveryOptions Discovery { get; set; } = new();
}
