using System.Text.Json;
using Inference.Engines.Templates.Jinja;

namespace Inference.Engines.Templates;

/// <summary>
/// Finds a model's chat format, first found: a configured one (a built-in family's name, Jinja text, or the path of a
/// Jinja file), the folder's <c>prompt_template.json</c>, its <c>chat_template.jinja</c>, <c>chat_template</c> in its
/// <c>tokenizer_config.json</c> (a string, or named templates of which <c>tool_use</c> serves requests with tools), then
/// the template the weights carry (a GGUF's <c>tokenizer.chat_template</c>). Templates are parsed here, once, at load:
/// a syntax error stops the load naming the file and line.
/// </summary>
public static class ChatTemplateSources
{
    public const string JinjaFileName = "chat_template.jinja";
    private const string TokenizerConfig = "tokenizer_config.json";

    /// <summary>The special tokens transformers gives a template, by their names in <c>tokenizer_config.json</c>.</summary>
    private static readonly string[] SpecialTokenNames = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    /// <param name="folder">The model's folder.</param>
    /// <param name="configured">A configured template: a built-in name, Jinja text, or a file's path (relative to the folder or absolute).</param>
    /// <param name="embedded">The templates the weights carry (default and tool_use), if any.</param>
    /// <param name="specialTokens">The special tokens' text when the weights say (a GGUF's token ids); else <c>tokenizer_config.json</c> is read.</param>
    /// <param name="tokenizerAddsBos">The engine's tokenizer adds BOS itself, so a template's BOS is dropped.</param>
    /// <param name="time">The clock templates read.</param>
    /// <returns>The format, or null when the model has no template of any kind (raw prompts only).</returns>
    public static ChatFormat? Find(
        string folder,
        string? configured,
        (string? Default, string? ToolUse) embedded = default,
        IReadOnlyDictionary<string, string>? specialTokens = null,
        bool tokenizerAddsBos = false,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var configPath = Path.Combine(folder, TokenizerConfig);
        using var config = ReadConfig(configPath);
        var tokens = specialTokens ?? SpecialTokens(config?.RootElement);
        ChatFormat Jinja(string name, string path, string text, string? toolUse = null) =>
            new JinjaChatFormat(name, Parse(path, text), toolUse is null ? null : Parse(path, toolUse), tokens, tokenizerAddsBos, time);

        if (configured is { Length: > 0 })
        {
            if (ChatTemplates.Find(configured) is { } family)
            {
                return new BuiltInChatFormat(family);
            }

            if (configured.Contains("{{", StringComparison.Ordinal) || configured.Contains("{%", StringComparison.Ordinal))
            {
                return Jinja("configured", "the configured chat template", configured);
            }

            var file = Path.IsPathRooted(configured) ? configured : Path.Combine(folder, configured);
            return File.Exists(file)
                ? Jinja(Path.GetFileName(file), file, File.ReadAllText(file))
                : throw new ModelFolderException(folder, $"the chat template '{configured}' is neither a built-in one ({string.Join(", ", ChatTemplates.All.Select(t => t.Name))}), Jinja text, nor a file");
        }

        if (PromptTemplateFile.Load(folder) is { } overridden)
        {
            return new BuiltInChatFormat(overridden);
        }

        var jinjaFile = Path.Combine(folder, JinjaFileName);
        if (File.Exists(jinjaFile))
        {
            return Jinja(JinjaFileName, jinjaFile, File.ReadAllText(jinjaFile));
        }

        if (config?.RootElement.ValueKind == JsonValueKind.Object && config.RootElement.TryGetProperty("chat_template", out var template))
        {
            if (template.ValueKind == JsonValueKind.String)
            {
                return Jinja(TokenizerConfig, configPath, template.GetString()!);
            }

            if (template.ValueKind == JsonValueKind.Array)
            {
                var named = template.EnumerateArray()
                    .Where(t => t.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && t.TryGetProperty("template", out var x) && x.ValueKind == JsonValueKind.String)
                    .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("template").GetString()!, StringComparer.Ordinal);
                var main = named.GetValueOrDefault("default") ?? named.Values.FirstOrDefault();
                if (main is not null)
                {
                    return Jinja(TokenizerConfig, configPath, main, named.GetValueOrDefault("tool_use"));
                }
            }
        }

        return embedded.Default is { } fromWeights ? Jinja("gguf", "the GGUF's tokenizer.chat_template", fromWeights, embedded.ToolUse) : null;
    }

    /// <summary>The special tokens' text in a <c>tokenizer_config.json</c> (a string, or an added token's <c>content</c>).</summary>
    public static Dictionary<string, string> SpecialTokens(JsonElement? config)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        if (config is not { ValueKind: JsonValueKind.Object } root)
        {
            return tokens;
        }

        foreach (var name in SpecialTokenNames)
        {
            if (!root.TryGetProperty(name, out var token))
            {
                continue;
            }

            var text = token.ValueKind switch
            {
                JsonValueKind.String => token.GetString(),
                JsonValueKind.Object when token.TryGetProperty("content", out var content) => content.GetString(),
                _ => null,
            };
            if (text is not null)
            {
                tokens[name] = text;
            }
        }

        return tokens;
    }

    private static JinjaTemplate Parse(string path, string text)
    {
        try
        {
            return JinjaTemplate.Parse(text);
        }
        catch (JinjaException ex)
        {
            throw new ModelFolderException(path, $"its chat template does not parse: {ex.Message}", ex);
        }
    }

    private static JsonDocument? ReadConfig(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new ModelFolderException(path, $"is not valid JSON ({ex.Message})", ex);
        }
    }
}
