namespace Inference.Onnx.Generation;

public sealed record GenerationFinish(FinishReason Reason, int PromptTokens, int CompletionTokens);
