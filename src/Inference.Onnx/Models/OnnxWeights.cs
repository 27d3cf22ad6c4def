namespace Inference.Onnx.Models;

/// <summary>What a model's ONNX file holds: how many parameters, and the precision most of them are stored in.</summary>
/// <param name="ParameterCount">Weights counted as the values they stand for (a 4-bit packed byte is two).</param>
/// <param name="Quantization">The storage type of most weights, in Ollama's words: F32, F16, BF16, Q8 or Q4.</param>
public sealed record OnnxWeights(long ParameterCount, string Quantization);
