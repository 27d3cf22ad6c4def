using System.Diagnostics;

namespace InferenceAspire.AppHost;

/// <summary>Whether a container runtime answers here: the daemon, not just its command-line client.</summary>
internal static class ContainerRuntime
{
    /// <summary>The runtime Aspire would use (ASPIRE_CONTAINER_RUNTIME, docker by default).</summary>
    public static string Name(Func<string, string?> configuration) =>
        configuration("ASPIRE_CONTAINER_RUNTIME") ?? configuration("DOTNET_ASPIRE_CONTAINER_RUNTIME") ?? "docker";

    /// <summary>True when <c>&lt;runtime&gt; info</c> reaches a daemon within a few seconds.</summary>
    public static bool Answers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no such command
        }
    }
}
