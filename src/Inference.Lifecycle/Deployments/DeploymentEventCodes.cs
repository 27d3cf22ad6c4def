namespace Inference.Lifecycle;

/// <summary>The operational events of deployments.</summary>
public static class DeploymentEventCodes
{
    public const string Started = "deployment.started";

    /// <summary>A canary or rolling deployment moved to a larger share.</summary>
    public const string Stepped = "deployment.stepped";

    public const string Completed = "deployment.completed";

    public const string RolledBack = "deployment.rolled_back";
}
