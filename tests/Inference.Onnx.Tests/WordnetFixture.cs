using Inference.Onnx.Chat;

namespace Inference.Onnx.Tests;

public sealed class WordnetFixture : IDisposable
{
    public LocalChatModel Model { get; } = LocalChatModel.Load(TestModels.WordnetChat, TestModels.Folder(TestModels.WordnetChat), TestModels.Options);

    public void Dispose() => Model.Dispose();
}
