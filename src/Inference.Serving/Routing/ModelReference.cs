namespace Inference.Serving.Routing;

/// <summary>A request's <c>model</c>: a name, or <c>name:version</c> for one version of it.</summary>
public readonly record struct ModelReference(string Name, string? Version)
{
    /// <summary>Ollama's default tag: <c>name:latest</c> is the name's active version.</summary>
    public const string Latest = "latest";

    public static ModelReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.LastIndexOf(':');
        return colon > 0 && colon < text.Length - 1 ? new(text[..colon], text[(colon + 1)..]) : new(text, null);
    }

    public override string ToString() => Version is null ? Name : $"{Name}:{Version}";
}
