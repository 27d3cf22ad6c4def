using System.Diagnostics;

namespace Inference.Api.FunctionalTests;

/// <summary>The Prometheus rules in deploy/prometheus: valid, and firing as their unit tests say (Debian's prometheus package has promtool).</summary>
public sealed class PrometheusRulesTests
{
    [Theory]
    [InlineData("check", "rules", "inference-alerts.yml")]
    [InlineData("test", "rules", "inference-alerts.test.yml")]
    [InlineData("check", "config", "prometheus.yml")]
    public async Task Promtool_accepts_the_rules_and_their_unit_tests_pass(string command, string what, string file)
    {
        var promtool = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "promtool")).FirstOrDefault(File.Exists);
        Assert.True(promtool is not null, "promtool is not installed (Debian: apt-get install prometheus); .ci/run installs it.");

        var start = new ProcessStartInfo(promtool, [command, what, file])
        {
            WorkingDirectory = Path.Combine(Repository.Root, "deploy", "prometheus"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(process.ExitCode == 0, $"promtool {command} {what} {file}: {await output}{await errors}");
        Assert.Contains("SUCCESS", await output + await errors, StringComparison.Ordinal);
    }
}
