using Inference.Onnx.Models;

namespace Inference.Serving.Local;

/// <summary>One explicitly configured local model (<c>Inference:Models:&lt;id&gt;</c>).</summary>
public sealed class LocalModelDefinition
{
    /// <summary>The model folder; relative paths are taken from the models directory. Defaults to the model's id.</summary>
    public string? Path { get; set; }

    /// <summary>Chat or Embedding; detected from config.json when not set.</summary>
    public LocalModelKind? Kind { get; set; }

    /// <summary>A built-in chat template name (chatml, llama3, gemma, phi3, mistral) instead of the detected one.</summary>
    public string? ChatTemplate { get; set; }

    /// <summary>Models to try instead when this one fails, in order (recorded in the registry).</summary>
    public List<string> Fallbacks { get; set; } = [];
}
