using Inference.LlamaCpp.Gguf;

namespace Inference.LlamaCpp.Tests;

/// <summary>The GGUF header reader, on the real files.</summary>
public sealed class GgufFileTests
{
    [Fact]
    public void Metadata_and_tensors_are_read_without_the_weights()
    {
        var file = GgufFile.Read(GgufModels.WordnetQ8);
        Assert.Equal(3u, file.Version);
        Assert.Equal("wordnet-chat-1m", file.Name);
        Assert.Equal("model", file.Type);
        Assert.Equal(7u, file.Metadata["general.file_type"]);
        Assert.Equal("Q8_0", file.Quantization);
        Assert.Equal(new GgufArray(8, 1536), file.Metadata["tokenizer.ggml.tokens"]);
        Assert.Equal(984_192, file.ParameterCount);
        Assert.Contains(file.Tensors, t => t.Name == "token_embd.weight" && t.Shape.SequenceEqual([128L, 1536L]));
        Assert.True(file.DataOffset % 32 == 0);
        Assert.Equal(file.Length, new FileInfo(GgufModels.WordnetQ8).Length);
        // Every tensor's data lies inside the file, at the offsets the header gives.
        Assert.All(file.Tensors, t => Assert.InRange(file.DataOffset + t.Offset + t.Bytes!.Value, 0, file.Length));
    }

    [Fact]
    public void A_random_f16_llama_from_ollamas_fixtures_reads_too()
    {
        var file = GgufFile.Read(GgufModels.TinyRandom);
        Assert.Equal("llama", file.Architecture);
        Assert.Equal("F16", file.Quantization);
        Assert.Equal(4096, file.ContextLength);
        Assert.Equal(8, file.EmbeddingLength);
        Assert.Equal(new GgufArray(8, 32000), file.Metadata["tokenizer.ggml.tokens"]);
    }
}
