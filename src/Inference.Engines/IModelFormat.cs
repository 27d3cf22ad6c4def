namespace Inference.Engines;

/// <summary>
/// A way models are stored that one engine can load: a detector (is this folder or file mine?) and a loader (to an
/// <c>IChatClient</c> or <c>IEmbeddingGenerator</c>, with what the model is). Engines register theirs with their own
/// <c>AddXxxEngine()</c>; the serving layer asks the registered formats in order and names none of them.
/// </summary>
public interface IModelFormat
{
    /// <summary>The format's short name, reported with every model it loads: "onnx", "gguf".</summary>
    string Name { get; }

    /// <summary>What a folder needs to hold for this format, for the error when no format claims one.</summary>
    string Expects { get; }

    /// <summary>True when the folder or file holds a model of this format (cheap: looks at names, not weights).</summary>
    bool Claims(string path);

    /// <summary>Whether the model at <paramref name="path"/> is a chat or an embedding model.</summary>
    ModelKind DetectKind(string path);

    /// <summary>
    /// Bytes of weights loading <paramref name="path"/> would map (the file this format would choose, with its external
    /// data), for a memory budget before the model is loaded; 0 when it cannot tell.
    /// </summary>
    long WeightBytes(string path);

    /// <summary>Loads the model; a broken model throws <see cref="ModelFolderException"/> naming the file and the cause.</summary>
    LoadedModel Load(ModelLoadRequest request);
}
