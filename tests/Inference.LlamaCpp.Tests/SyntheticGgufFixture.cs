namespace Inference.LlamaCpp.Tests;

/// <summary>The two-layer random SmolLM2 as F32 GGUF: the real 49k vocabulary, ChatML from its prompt_template.json.</summary>
public sealed class SyntheticGgufFixture : IDisposable
{
    public LlamaChatModel Model { get; } = GgufModels.Load(SyntheticModels.GgufFile, GgufModels.Options(o => o.ContextLength = 2048), SyntheticModels.GgufId);

    public LlamaChatClient Client => new(Model);

    public void Dispose() => Model.Dispose();
}
