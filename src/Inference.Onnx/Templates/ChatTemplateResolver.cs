using Inference.Engines.Templates;

namespace Inference.Onnx.Templates;

/// <summary>
/// Finds an ONNX model's chat format (see <see cref="ChatTemplateSources"/>): configured, the folder's
/// <c>prompt_template.json</c>, <c>chat_template.jinja</c>, or <c>chat_template</c> in <c>tokenizer_config.json</c>.
/// The ONNX tokenizer adds no BOS, so a template's BOS stays in the prompt.
/// </summary>
public static class ChatTemplateResolver
{
    /// <summary>Returns the format, or null when the model has none (it can still serve raw completions).</summary>
    public static ChatFormat? Resolve(string folder, string? configured = null) =>
        ChatTemplateSources.Find(folder, configured, tokenizerAddsBos: false);
}
