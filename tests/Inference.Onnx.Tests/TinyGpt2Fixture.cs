using Inference.Onnx.Chat;

namespace Inference.Onnx.Tests;

public sealed class TinyGpt2Fixture : IDisposable
{
    /// <summary>A raw prompt whose GPT-2 ids all fall inside the tiny model's 1000-token vocabulary.</summary>
    public const string Prompt = " the and of to in";

    public LocalChatModel Model { get; } = LocalChatModel.Load(TestModels.TinyGpt2, TestModels.Folder(TestModels.TinyGpt2), TestModels.Options);

    public void Dispose() => Model.Dispose();
}
