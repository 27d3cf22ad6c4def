namespace Inference.Engines;

/// <summary>What to load: the id it is served under, its folder or file, its kind, and an optional chat template.</summary>
/// <param name="ChatTemplate">A chat template instead of the model's own: a built-in name (chatml, llama3, gemma, phi3, mistral), Jinja text, or a Jinja file's path.</param>
public sealed record ModelLoadRequest(string Id, string Path, ModelKind Kind, string? ChatTemplate = null);
