using Inference.Onnx.Chat;

namespace Inference.Onnx.Tests;

/// <summary>The two-layer random SmolLM2 as ONNX: the real 49k vocabulary and ChatML, an 8k context.</summary>
public sealed class SyntheticFixture : IDisposable
{
    public LocalChatModel Model { get; } = LocalChatModel.Load(SyntheticModels.OnnxId, SyntheticModels.OnnxFolder, TestModels.Options);

    public void Dispose() => Model.Dispose();
}
