namespace Inference.LlamaCpp.Tests;

/// <summary>wordnet-chat-1m as F32 GGUF in llama.cpp, the file that reproduces golden.json.</summary>
public sealed class WordnetGgufFixture : IDisposable
{
    public LlamaChatModel Model { get; } = GgufModels.Load(GgufModels.WordnetF32);

    public LlamaChatClient Client => new(Model);

    public void Dispose() => Model.Dispose();
}
