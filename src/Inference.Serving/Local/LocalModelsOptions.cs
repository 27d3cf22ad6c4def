using Inference.Onnx;
using Inference.Onnx.Models;

namespace Inference.Serving.Local;

/// <summary>
/// Local models served in-process (<c>Inference</c> section). With no <see cref="Models"/> configured, every folder
/// of the models directory that holds ONNX weights is served under its folder name.
/// </summary>
public sealed class LocalModelsOptions
{
    public const string SectionName = "Inference";

    /// <summary>Where model folders live; defaults to INFERENCE_MODELS_DIR, then ../shared/models of a checkout.</summary>
    public string? ModelsDirectory { get; set; }

    public Dictionary<string, LocalModelDefinition> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Which kinds this service loads; the Worker serves chat, the Embeddings service embeddings.</summary>
    public HashSet<LocalModelKind> Kinds { get; set; } = [LocalModelKind.Chat, LocalModelKind.Embedding];

    public OnnxEngineOptions Engine { get; set; } = new();
}
