using System.Text.Json;

namespace Inference.Engines.Tests.Templates;

/// <summary>
/// The chat templates of the real models in the shared model folders (<c>chat_template.jinja</c>, or
/// <c>chat_template</c> in <c>tokenizer_config.json</c>: a string or a list of named templates), with their BOS and EOS;
/// and the <c>.jinja</c> files of <c>../shared/templates</c> and of <c>INFERENCE_TEMPLATES_DIR</c>.
/// </summary>
internal static class SharedModelTemplates
{
    public static IReadOnlyList<(string Name, string Template, string Bos, string Eos)> All()
    {
        var root = ModelsDirectory.Locate() ?? throw new DirectoryNotFoundException("The shared model folders are not found (../shared/models or INFERENCE_MODELS_DIR).");
        var found = new List<(string, string, string, string)>();
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            var configPath = Path.Combine(folder, "tokenizer_config.json");
            using var config = File.Exists(configPath) ? JsonDocument.Parse(File.ReadAllText(configPath)) : JsonDocument.Parse("{}");
            var bos = Token(config.RootElement, "bos_token");
            var eos = Token(config.RootElement, "eos_token");
            var jinja = Path.Combine(folder, "chat_template.jinja");
            if (File.Exists(jinja))
            {
                found.Add((name + "/chat_template.jinja", File.ReadAllText(jinja), bos, eos));
            }

            if (config.RootElement.TryGetProperty("chat_template", out var template))
            {
                if (template.ValueKind == JsonValueKind.String)
                {
                    found.Add((name, template.GetString()!, bos, eos));
                }
                else if (template.ValueKind == JsonValueKind.Array)
                {
                    found.AddRange(template.EnumerateArray().Select(t =>
                        ($"{name}:{t.GetProperty("name").GetString()}", t.GetProperty("template").GetString()!, bos, eos)));
                }
            }
        }

        // Further templates as .jinja files: ../shared/templates beside the model folders, and a folder named by
        // INFERENCE_TEMPLATES_DIR (to check a collection of public templates against the reference).
        foreach (var directory in new[] { Path.Combine(root, "..", "templates"), Environment.GetEnvironmentVariable("INFERENCE_TEMPLATES_DIR") })
        {
            if (directory is { Length: > 0 } && Directory.Exists(directory))
            {
                found.AddRange(Directory.EnumerateFiles(directory, "*.jinja", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                    .Select(file => (Path.GetRelativePath(directory, file), File.ReadAllText(file), "<s>", "</s>")));
            }
        }

        return found;
    }

    private static string Token(JsonElement config, string name) => config.TryGetProperty(name, out var token)
        ? token.ValueKind switch
        {
            JsonValueKind.String => token.GetString()!,
            JsonValueKind.Object when token.TryGetProperty("content", out var content) => content.GetString()!,
            _ => "",
        }
        : "";
}
