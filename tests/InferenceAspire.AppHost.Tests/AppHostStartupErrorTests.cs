using System.Diagnostics;

namespace InferenceAspire.AppHost.Tests;

/// <summary>Bad AppHost settings stop it before anything is orchestrated, with one line naming the setting.</summary>
public sealed class AppHostStartupErrorTests
{
    [Theory]
    [InlineData("--Parameters:chat-provider=telepathy", "Parameters:chat-provider 'telepathy' is unknown; use local, ollama, openai.")]
    [InlineData("--Parameters:models-dir=/nonexistent/models", "Parameters:models-dir '/nonexistent/models' does not exist.")]
    [InlineData("--Parameters:worker-replicas=0", "Parameters:worker-replicas '0' must be a whole number of at least 1.")]
    [InlineData("--Parameters:chat-provider=openai --Parameters:openai-endpoint=Endpoint=api.groq.com",
        "Parameters:openai-endpoint 'Endpoint=api.groq.com' must be the absolute http(s) URL of an OpenAI-compatible API (such as https://api.groq.com/openai/v1).")]
    [InlineData("--Parameters:servers=kubernetes", "Parameters:servers 'kubernetes' is unknown; use auto, containers, local or existing.")]
    [InlineData("--Parameters:servers=existing --ConnectionStrings:cache=localhost:6379",
        "Parameters:servers is 'existing' but ConnectionStrings:metadata is not set (the PostgreSQL server to use).")]
    [InlineData("--Parameters:telemetry-content=sometimes", "Parameters:telemetry-content 'sometimes' must be true or false.")]
    public async Task A_bad_setting_stops_the_apphost_naming_it(string arguments, string message)
    {
        var start = new ProcessStartInfo("dotnet", [ServiceProcess.BuiltDll("InferenceAspire.AppHost"), .. arguments.Split(' ')])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(1, process.ExitCode);
        Assert.Equal($"InferenceAspire.AppHost cannot start: {message}", (await stderr).Trim());
    }
}
