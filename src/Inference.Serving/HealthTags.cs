namespace Inference.Serving;

/// <summary>The tags of the health checks the services' health endpoints select by.</summary>
public static class HealthTags
{
    /// <summary>Checks that must pass before the service takes traffic (<c>/ready</c>).</summary>
    public const string Ready = "ready";
}
