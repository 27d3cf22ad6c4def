namespace Inference.Serving.Local;

/// <summary>One explicitly configured local model (<c>Inference:Models:&lt;id&gt;</c>).</summary>
public sealed class LocalModelDefinition
{
    /// <summary>
    /// The model folder, or one model file in it (a <c>.gguf</c>); relative paths are taken from the models directory.
    /// Defaults to the model's id.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Chat or Embedding; detected from the model's files when not set.</summary>
    public ModelKind? Kind { get; set; }

    /// <summary>A chat template instead of the model's own: a built-in name (chatml, llama3, gemma, phi3, mistral), Jinja text, or a Jinja file's path.</summary>
    public string? ChatTemplate { get; set; }

    /// <summary><c>start</c> (loaded before the service takes traffic) or <c>first-use</c> (loaded by its first request).</summary>
    public string? Load { get; set; }

    /// <summary>How long the model stays loaded after its last request (Ollama's keep_alive: "5m", "30s", "-1" for ever); <c>Inference:Residency:KeepAlive</c> by default.</summary>
    public string? KeepAlive { get; set; }

    /// <summary>Models to try instead when this one fails, in order (recorded in the registry).</summary>
    public List<string> Fallbacks { get; set; } = [];
}
