namespace Inference.LlamaCpp.Tests;

/// <summary>A folder for one test's model files, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("gguf-test-").FullName;

    public string File(string name, byte[] content)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    public string Copy(string source, string? name = null)
    {
        var path = System.IO.Path.Combine(Path, name ?? System.IO.Path.GetFileName(source));
        System.IO.File.Copy(source, path);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
