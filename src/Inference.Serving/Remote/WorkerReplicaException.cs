namespace Inference.Serving.Remote;

/// <summary>A Worker replica refused or failed a step of a rolling deployment.</summary>
public sealed class WorkerReplicaException(string message, Exception? inner = null) : Exception(message, inner);
