namespace Inference.Onnx.Models;

public enum LocalModelKind
{
    Chat,
    Embedding,
}
