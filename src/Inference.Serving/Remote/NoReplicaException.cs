namespace Inference.Serving.Remote;

/// <summary>
/// No Worker replica serves a version of a replicated model now (a rolling deployment has not reached one yet, or it
/// was rolled back): not a fault of any replica, so no breaker counts it; fallbacks may answer, else a 503.
/// </summary>
public sealed class NoReplicaException(string message) : Exception(message);
