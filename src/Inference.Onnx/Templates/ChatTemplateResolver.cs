using System.Text.Json;
using Inference.Onnx.Models;

namespace Inference.Onnx.Templates;

/// <summary>
/// Finds a model's chat template: an explicit <c>prompt_template.json</c> in the model folder wins; otherwise the
/// family is recognised from the markers of the Jinja <c>chat_template</c> in <c>tokenizer_config.json</c>.
/// </summary>
public static class ChatTemplateResolver
{
    public const string OverrideFileName = "prompt_template.json";

    /// <summary>Returns the template, or null when the model has none (it can still serve raw completions).</summary>
    public static ChatTemplate? Resolve(string folder, string? configuredName = null)
    {
        if (configuredName is not null)
        {
            return ChatTemplates.All.FirstOrDefault(t => t.Name.Equals(configuredName, StringComparison.OrdinalIgnoreCase))
                ?? throw new ModelFolderException(folder, $"unknown chat template '{configuredName}' (known: {string.Join(", ", ChatTemplates.All.Select(t => t.Name))})");
        }

        var overridePath = Path.Combine(folder, OverrideFileName);
        if (File.Exists(overridePath))
        {
            try
            {
                return JsonSerializer.Deserialize(File.ReadAllText(overridePath), TemplateJsonContext.Default.ChatTemplate)
                    ?? throw new ModelFolderException(folder, $"{OverrideFileName} is empty");
            }
            catch (JsonException ex)
            {
                throw new ModelFolderException(folder, $"{OverrideFileName} is not a valid template ({ex.Message})", ex);
            }
        }

        var jinja = JsonFile.ReadOptional(folder, "tokenizer_config.json").String("chat_template");
        return jinja is null ? null : Detect(jinja);
    }

    public static ChatTemplate? Detect(string jinja) => jinja switch
    {
        _ when jinja.Contains("<|im_start|>", StringComparison.Ordinal) => ChatTemplates.ChatMl,
        _ when jinja.Contains("<|start_header_id|>", StringComparison.Ordinal) => ChatTemplates.Llama3,
        _ when jinja.Contains("<start_of_turn>", StringComparison.Ordinal) => ChatTemplates.Gemma,
        _ when jinja.Contains("<|assistant|>", StringComparison.Ordinal) && jinja.Contains("<|end|>", StringComparison.Ordinal) => ChatTemplates.Phi3,
        _ when jinja.Contains("[INST]", StringComparison.Ordinal) => ChatTemplates.Mistral,
        _ => null,
    };
}
