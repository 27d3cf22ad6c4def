using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InferenceAspire.TestSupport;

/// <summary>One template rendered with one context by the reference: the prompt, or the message of what it raised.</summary>
public sealed record ReferenceRendering(string Name, string? Expected, string? Error);

/// <summary>
/// Reference renderings of chat templates by Python's jinja2 set up as transformers' <c>apply_chat_template</c> does
/// (<c>tests/tools/render-chat-template.py</c>), computed when the tests run. Needs Debian's python3-jinja2 (CI
/// installs it); without it the tests fail, saying so.
/// </summary>
public static class ReferenceChatTemplates
{
    public static IReadOnlyList<ReferenceRendering> Render(IEnumerable<(string Name, string Template, JsonObject Data)> cases)
    {
        var input = new JsonArray([.. cases.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["chat_template"] = c.Template,
            ["data"] = c.Data.DeepClone(),
        })]);
        var script = Path.Combine(RepositoryRoot(), "tests", "tools", "render-chat-template.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using (var stdin = new StreamWriter(process.StandardInput.BaseStream, new System.Text.UTF8Encoding(false)))
        {
            stdin.Write(input.ToJsonString());
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The reference renderer failed (it needs /usr/bin/python3 with jinja2: apt-get install python3-jinja2): {error.Result}");
        }

        return [.. JsonDocument.Parse(output.Result).RootElement.EnumerateArray().Select(c => new ReferenceRendering(
            c.GetProperty("name").GetString()!,
            c.TryGetProperty("expected", out var expected) ? expected.GetString() : null,
            c.TryGetProperty("error", out var raised) ? raised.GetString() : null))];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InferenceAspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (InferenceAspire.sln) is not above the test binaries.");
    }
}
