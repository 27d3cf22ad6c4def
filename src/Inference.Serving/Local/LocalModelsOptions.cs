namespace Inference.Serving.Local;

/// <summary>
/// Local models served in-process (<c>Inference</c> section). With no <see cref="Models"/> configured, every folder
/// of the models directory that a registered engine recognises is served under its folder name.
/// </summary>
public sealed class LocalModelsOptions
{
    public const string SectionName = "Inference";

    /// <summary>Where model folders live; defaults to INFERENCE_MODELS_DIR, then ../shared/models of a checkout.</summary>
    public string? ModelsDirectory { get; set; }

    /// <summary>The models directory as a full path: the configured one, else the one <see cref="Inference.Engines.ModelsDirectory.Locate"/> finds; null when there is none.</summary>
    public string? ResolvedModelsDirectory =>
        ModelsDirectory is { Length: > 0 } configured ? Path.GetFullPath(configured) : Inference.Engines.ModelsDirectory.Locate();

    /// <summary>
    /// Further folders of model folders scanned like the models directory (relative paths are taken from it), such as
    /// <c>../task-models</c> for the classifiers beside the shared models. One that does not exist is skipped with a warning.
    /// </summary>
    public List<string> AdditionalModelsDirectories { get; set; } = [];

    public Dictionary<string, LocalModelDefinition> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>False for a pure gateway (as the AppHost runs the Api): no model is loaded in this process.</summary>
    public bool ServeLocalModels { get; set; } = true;

    /// <summary>Which kinds this service loads, as its host says (<c>AddInferenceServing</c>): the Worker chat, the Embeddings service embeddings and classifiers.</summary>
    public HashSet<ModelKind> Kinds { get; set; } = [ModelKind.Chat, ModelKind.Embedding, ModelKind.Classification];
}
