using System.Text.Json;

namespace Inference.Engines.Templates;

/// <summary>
/// A model folder's <c>prompt_template.json</c>, which overrides the template the model ships with, for every engine.
/// Two forms are read: ours (<c>roles</c> with a prefix and suffix each, <c>generation_prompt</c>) and the
/// llama.cpp workers' (<c>user_prefix</c>, <c>user_suffix</c>, <c>model_prefix</c>, <c>model_suffix</c>, optional
/// <c>system_prefix</c> / <c>system_suffix</c>).
/// </summary>
public static class PromptTemplateFile
{
    public const string FileName = "prompt_template.json";

    /// <summary>The folder's override template, or null when it has none; a malformed file names itself.</summary>
    public static ChatTemplate? Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var json = File.ReadAllBytes(path);
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var isPrefixForm = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("user_prefix", out _);
            var template = isPrefixForm
                ? JsonSerializer.Deserialize(json, TemplateJsonContext.Default.PrefixPromptTemplate)?.ToChatTemplate()
                : JsonSerializer.Deserialize(json, TemplateJsonContext.Default.ChatTemplate);
            return template ?? throw new ModelFolderException(folder, $"{FileName} is empty");
        }
        catch (JsonException ex)
        {
            throw new ModelFolderException(folder, $"{FileName} is not a valid template ({ex.Message})", ex);
        }
    }
}
