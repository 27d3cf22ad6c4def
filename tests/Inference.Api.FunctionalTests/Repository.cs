namespace Inference.Api.FunctionalTests;

/// <summary>The checkout the tests run from (the folder of InferenceAspire.sln).</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "InferenceAspire.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (InferenceAspire.sln) is not above the test's folder.");
    }
}
