namespace Inference.Serving.Remote;

public sealed class RemoteModelsOptions
{
    public Dictionary<string, RemoteModelDefinition> Remote { get; set; } = new(StringComparer.Ordinal);
}
