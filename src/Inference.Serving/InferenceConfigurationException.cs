namespace Inference.Serving.Local;

/// <summary>The local models cannot be served as configured; the message names the setting to fix.</summary>
public sealed class LocalModelsConfigurationException(string message) : Exception(message);
