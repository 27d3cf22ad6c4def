using System.Runtime.CompilerServices;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Keeps the embedded metadata of every host these tests start (in process or as a child process, which inherits the
/// environment) in one temporary folder per test run, deleted when the run ends, not in the user's own.
/// </summary>
internal static class TestEnvironment
{
    public static string Directory { get; } = Path.Combine(Path.GetTempPath(), "inference-tests-" + Guid.NewGuid().ToString("N"));

    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("Inference__Metadata__SqlitePath", Path.Combine(Directory, "metadata.db"));
        Environment.SetEnvironmentVariable("Inference__Metadata__Audit__SpillDirectory", Path.Combine(Directory, "audit-spill"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        };
    }
}
