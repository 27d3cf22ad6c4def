namespace Inference.Onnx.Models;

/// <summary>A model folder is missing, incomplete or unreadable. The message names the folder and what is wrong.</summary>
public sealed class ModelFolderException(string folder, string problem, Exception? inner = null)
    : Exception($"Model folder '{folder}': {problem}", inner)
{
    public string Folder { get; } = folder;

    public string Problem { get; } = problem;
}
