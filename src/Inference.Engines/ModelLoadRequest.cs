namespace Inference.Engines;

/// <summary>What to load: the id it is served under, its folder or file, its kind, and an optional template name.</summary>
/// <param name="ChatTemplate">A built-in chat template (chatml, llama3, gemma, phi3, mistral) instead of the model's own.</param>
public sealed record ModelLoadRequest(string Id, string Path, ModelKind Kind, string? ChatTemplate = null);
