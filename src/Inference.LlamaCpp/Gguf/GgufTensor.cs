namespace Inference.LlamaCpp.Gguf;

/// <summary>One tensor's entry in a GGUF file: name, shape, ggml type and where its data starts (relative to the data section).</summary>
public sealed record GgufTensor(string Name, IReadOnlyList<long> Shape, int Type, long Offset)
{
    public long Elements => Shape.Aggregate(1L, (n, d) => n * d);

    /// <summary>Bytes of data, or null for a ggml type this reader does not know.</summary>
    public long? Bytes => GgmlTypes.Size(Type, Elements);
}
