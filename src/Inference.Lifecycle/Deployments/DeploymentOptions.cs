namespace Inference.Lifecycle;

/// <summary>Rolling deployments (<c>Inference:Deployments</c>).</summary>
public sealed class DeploymentOptions
{
    public const string SectionName = "Inference:Deployments";

    /// <summary>How long one Worker replica has to load the new version, be ready and answer a probe before the deployment rolls back.</summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often in-progress rolling deployments left by a stopped gateway replica are looked for, to be resumed, and
    /// Worker replicas are checked for versions they should serve and lost in a restart.
    /// </summary>
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromSeconds(30);
}
