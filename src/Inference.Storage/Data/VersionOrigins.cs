namespace Inference.Storage.Data;

/// <summary>Where a model version comes from.</summary>
public static class VersionOrigins
{
    /// <summary>Recorded at start from what the service is configured to serve; served under the bare model name.</summary>
    public const string Configuration = "configuration";

    /// <summary>Registered through <c>POST /models/register</c>; served as <c>name:version</c>.</summary>
    public const string Registered = "registered";
}
