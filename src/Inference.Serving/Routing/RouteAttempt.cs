namespace Inference.Serving.Routing;

/// <summary>
/// The attempt a call belongs to, for the audit log and the metrics: the model name and version it was routed as,
/// the experiment that chose it, the model it stands in for when it is a fallback (<c>name:version</c>, or the name
/// when the registry knows no version), and its number in the request.
/// Flows with the call (an async local) from the routed client to the model's pipeline.
/// </summary>
public sealed record RouteAttempt(string Name, string? Version, string? Experiment, string? Arm, string? FallbackFrom, int Number)
{
    private static readonly AsyncLocal<RouteAttempt?> Ambient = new();

    /// <summary>The attempt running on this async flow, if it was routed.</summary>
    public static RouteAttempt? Current
    {
        get => Ambient.Value;
        internal set => Ambient.Value = value;
    }
}
