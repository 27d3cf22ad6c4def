namespace Inference.Serving;

/// <summary>The service cannot start as configured; the message names the setting to fix.</summary>
public sealed class InferenceConfigurationException(string message) : Exception(message);
