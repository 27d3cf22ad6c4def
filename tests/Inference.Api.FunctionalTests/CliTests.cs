using System.Diagnostics;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>The <c>inference</c> tool run as a process against the Api (its own process too), as a user runs it.</summary>
public sealed class CliTests(MonitoringFixture api) : IClassFixture<MonitoringFixture>
{
    [Fact]
    public async Task Models_lists_every_model_with_its_capabilities()
    {
        var (code, output, _) = await RunAsync(["models"]);
        Assert.Equal(0, code);
        Assert.Contains(MonitoringFixture.Gguf, output, StringComparison.Ordinal);
        Assert.Contains(MonitoringFixture.Embedding, output, StringComparison.Ordinal);
        Assert.Contains("Q8_0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_streams_answers_over_several_turns_from_standard_input()
    {
        var (code, output, _) = await RunAsync(["chat", "-m", MonitoringFixture.Chat, "--temperature", "0"], "What does \"dog\" mean?\nWhat does \"cat\" mean?\n/exit\n");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            ["dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", "cat: feline mammal usually having thick soft fur and no ability to roar."],
            lines);
    }

    [Fact]
    public async Task Chat_with_a_message_answers_once_and_a_refusal_is_one_line_and_exit_code_1()
    {
        var (code, output, _) = await RunAsync(["chat", "-m", MonitoringFixture.Chat, "--temperature", "0", "--message", "What does \"tree\" mean?"]);
        Assert.Equal(0, code);
        Assert.StartsWith("tree:", output.Trim(), StringComparison.Ordinal);

        var (refused, _, errors) = await RunAsync(["chat", "-m", "nope", "--message", "hi"]);
        Assert.Equal(1, refused);
        Assert.Equal("inference: 404 Not Found: The model 'nope' does not exist.", errors.Trim());
    }

    [Fact]
    public async Task Embed_prints_each_vector_and_json_prints_them_whole()
    {
        var (code, output, _) = await RunAsync(["embed", "-m", MonitoringFixture.Embedding, "a guitar", "a piano"]);
        Assert.Equal(0, code);
        Assert.Contains("a guitar", output, StringComparison.Ordinal);
        Assert.Contains("│ 64 ", output, StringComparison.Ordinal);
        Assert.Contains("1.0000", output, StringComparison.Ordinal);

        var (jsonCode, json, _) = await RunAsync(["embed", "-m", MonitoringFixture.Embedding, "--json", "a guitar"]);
        Assert.Equal(0, jsonCode);
        Assert.Equal(64, JsonDocument.Parse(json).RootElement.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
    }

    [Fact]
    public async Task Status_and_monitor_show_the_services_models_and_alerts()
    {
        var (code, output, _) = await RunAsync(["status"]);
        Assert.Equal(0, code);
        var text = output;
        Assert.Contains("Inference.Api", text, StringComparison.Ordinal);
        Assert.Contains(MonitoringFixture.Gguf, text, StringComparison.Ordinal);
        Assert.Contains("healthy", text, StringComparison.Ordinal);
        Assert.Contains("alerts", text, StringComparison.Ordinal);

        var (monitorCode, monitor, _) = await RunAsync(["monitor", "--interval", "0.3", "--iterations", "3"]);
        Assert.Equal(0, monitorCode);
        Assert.Equal(3, monitor.Split("InferenceAspire at").Length - 1);
    }

    [Theory]
    [InlineData("--base", "not-a-url", "--base 'not-a-url' must be an absolute http(s) URL")]
    [InlineData("--base", "http://127.0.0.1:1", "inference: cannot reach http://127.0.0.1:1/")]
    public async Task A_bad_or_unreachable_base_url_is_one_clear_line(string option, string value, string message)
    {
        var (code, _, errors) = await RunAsync(["models", option, value], useFixture: false);
        Assert.Equal(1, code);
        Assert.Contains(message, errors, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output, string Errors)> RunAsync(string[] arguments, string? input = null, bool useFixture = true) =>
        RunCliAsync(useFixture ? ["--base", api.Api.BaseAddress.ToString(), .. arguments] : arguments, input);

    /// <summary>The tool as a process with <paramref name="arguments"/>, <paramref name="input"/> on its standard input.</summary>
    internal static async Task<(int Code, string Output, string Errors)> RunCliAsync(string[] arguments, string? input = null)
    {
        string[] all = [ServiceProcess.BuiltDll("Inference.Cli"), .. arguments];
        var start = new ProcessStartInfo("dotnet", all)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["COLUMNS"] = "240";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output, await errors);
    }
}
