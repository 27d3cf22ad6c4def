using Inference.Engines.Templates;
using Inference.Onnx.Models;

namespace Inference.Onnx.Templates;

/// <summary>
/// Finds an ONNX model's chat template: a configured built-in name, then the folder's <c>prompt_template.json</c>,
/// then the family recognised from the markers of the Jinja <c>chat_template</c> in <c>tokenizer_config.json</c>.
/// </summary>
public static class ChatTemplateResolver
{
    /// <summary>Returns the template, or null when the model has none (it can still serve raw completions).</summary>
    public static ChatTemplate? Resolve(string folder, string? configuredName = null)
    {
        if (configuredName is not null)
        {
            return ChatTemplates.Require(configuredName, folder);
        }

        if (PromptTemplateFile.Load(folder) is { } overridden)
        {
            return overridden;
        }

        var jinja = JsonFile.ReadOptional(folder, "tokenizer_config.json").String("chat_template");
        return jinja is null ? null : ChatTemplates.Detect(jinja);
    }
}
