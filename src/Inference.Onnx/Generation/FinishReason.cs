namespace Inference.Onnx.Generation;

public enum FinishReason
{
    /// <summary>An end-of-sequence token or a stop sequence was produced.</summary>
    Stop,

    /// <summary>The token limit or the end of the context window was reached.</summary>
    Length,
}
