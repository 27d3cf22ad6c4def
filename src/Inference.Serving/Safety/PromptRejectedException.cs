namespace Inference.Serving.Safety;

/// <summary>A prompt screen refused the request's messages.</summary>
public sealed class PromptRejectedException(string reason) : Exception($"The request was refused by prompt screening: {reason}");
