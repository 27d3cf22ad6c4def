using Inference.Engines.Templates;

namespace Inference.LlamaCpp.Prompts;

/// <summary>A prefix/suffix template: a built-in family by name, or the folder's <c>prompt_template.json</c>.</summary>
internal sealed class TemplatePromptFormat(ChatTemplate template, string model) : IPromptFormat
{
    public string Name => template.Name;

    public IReadOnlyList<string> Stop => template.Stop;

    public string Render(IReadOnlyList<(string Role, string Content)> turns) => template.RenderPrompt(model, turns);
}
