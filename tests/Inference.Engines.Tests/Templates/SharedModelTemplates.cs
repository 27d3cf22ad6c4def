using System.Text.Json;

namespace Inference.Engines.Tests.Templates;

/// <summary>
/// The chat templates of the real models in the shared model folders (<c>chat_template.jinja</c>, or
/// <c>chat_template</c> in <c>tokenizer_config.json</c>: a string or a list of named templates), with their BOS and EOS.
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
