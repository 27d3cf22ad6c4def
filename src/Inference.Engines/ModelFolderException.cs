namespace Inference.Engines;

/// <summary>
/// A model folder or file is missing, incomplete or unreadable. The message names the path and what is wrong, in one
/// line, so that a service can stop its start with it.
/// </summary>
public sealed class ModelFolderException(string path, string problem, Exception? inner = null)
    : Exception($"Model {(File.Exists(path) ? "file" : "folder")} '{path}': {problem}", inner)
{
    /// <summary>The folder or file the problem is in.</summary>
    public string Folder { get; } = path;

    public string Problem { get; } = problem;

    /// <summary>
    /// The files are a model of a kind the engine does not serve (a token classifier, a translation model): a service
    /// scanning a models directory skips it with a warning instead of stopping, so a new kind never stops an older build.
    /// </summary>
    public bool UnrecognizedKind { get; init; }
}
