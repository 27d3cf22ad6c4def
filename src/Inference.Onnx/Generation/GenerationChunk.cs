namespace Inference.Onnx.Generation;

/// <summary>
/// A piece of generated text, always whole characters. The last chunk of a generation carries
/// <see cref="Finish"/>, the reason and the token counts.
/// </summary>
public sealed record GenerationChunk(string Text, GenerationFinish? Finish = null);
