namespace Inference.Engines;

/// <summary>The prompt cannot be run by this model (empty, or tokens outside the model's vocabulary).</summary>
public sealed class InvalidPromptException(string message) : Exception(message);
