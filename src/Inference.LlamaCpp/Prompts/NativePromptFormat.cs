using LLama;

namespace Inference.LlamaCpp.Prompts;

/// <summary>
/// The model's own <c>tokenizer.chat_template</c>, rendered by llama.cpp's template support (which recognises the
/// common families from the Jinja text and writes them out natively).
/// </summary>
internal sealed class NativePromptFormat(string jinja, string name, string model) : IPromptFormat
{
    private static readonly string[] Roles = ["system", "user", "assistant"];

    public string Name => name;

    public IReadOnlyList<string> Stop => [];

    public string Render(IReadOnlyList<(string Role, string Content)> turns)
    {
        var template = new LLamaTemplate(jinja) { AddAssistant = true };
        foreach (var (role, content) in turns)
        {
            if (!Roles.Contains(role))
            {
                throw new InvalidPromptException($"Model '{model}' cannot take messages of role '{role}' (its chat template has: {string.Join(", ", Roles)}).");
            }

            template.Add(role, content);
        }

        return LLamaTemplate.Encoding.GetString(template.Apply());
    }

    /// <summary>Whether llama.cpp can render this template at all; the reason when it cannot.</summary>
    public static string? Probe(string jinja)
    {
        try
        {
            _ = new LLamaTemplate(jinja) { AddAssistant = true }.Add("user", "hi").Apply();
            return null;
        }
        catch (LLama.Exceptions.RuntimeError ex)
        {
            return ex.Message;
        }
    }
}
