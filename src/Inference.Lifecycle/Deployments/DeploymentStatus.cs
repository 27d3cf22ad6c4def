namespace Inference.Lifecycle;

/// <summary>A deployment's states.</summary>
public static class DeploymentStatus
{
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string RolledBack = "rolled_back";
}

/// <summary>The deployment strategies.</summary>
public static class DeploymentStrategies
{
    public const string Immediate = "immediate";
    public const string BlueGreen = "blue-green";
    public const string Canary = "canary";
    public const string Rolling = "rolling";

    public static readonly string[] All = [Immediate, BlueGreen, Canary, Rolling];
}

/// <summary>An A/B test's states.</summary>
public static class AbTestStatus
{
    public const string Running = "running";
    public const string Stopped = "stopped";
    public const string Completed = "completed";
}
