namespace Inference.Engines;

/// <summary>Where model folders live when nothing is configured.</summary>
public static class ModelsDirectory
{
    public const string EnvironmentVariable = "INFERENCE_MODELS_DIR";

    /// <summary>
    /// <c>INFERENCE_MODELS_DIR</c> when set; otherwise the nearest <c>shared/models</c> beside an ancestor of the working
    /// directory or of the application (a development checkout has <c>../shared/models</c> next to it); otherwise null.
    /// </summary>
    public static string? Locate()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "models");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
