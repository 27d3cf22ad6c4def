using System.Text;
using System.Text.Json.Serialization;

namespace Inference.Engines.Templates;

/// <summary>
/// A chat prompt format as prefix/suffix per role: the shape shared by ChatML, Llama-3, Gemma, Phi-3 and Mistral,
/// which covers the templates these families ship without a Jinja engine.
/// </summary>
public sealed record ChatTemplate
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Text at the very start of the prompt (a BOS token for families that expect it).</summary>
    [JsonPropertyName("bos")]
    public string Bos { get; init; } = "";

    [JsonPropertyName("roles")]
    public required IReadOnlyDictionary<string, RoleFormat> Roles { get; init; }

    /// <summary>What opens the assistant's turn that the model is to write.</summary>
    [JsonPropertyName("generation_prompt")]
    public required string GenerationPrompt { get; init; }

    /// <summary>Families without a system role fold the system text into the first user message.</summary>
    [JsonPropertyName("system_in_first_user")]
    public bool SystemInFirstUser { get; init; }

    /// <summary>Strings that end the assistant's turn when they appear in the output (besides the EOS tokens).</summary>
    [JsonPropertyName("stop")]
    public IReadOnlyList<string> Stop { get; init; } = [];

    public bool SupportsRole(string role) => Roles.ContainsKey(role) || (role == "system" && SystemInFirstUser);

    /// <summary>Renders a request's turns for <paramref name="model"/>; a role the template lacks is the caller's error.</summary>
    public string RenderPrompt(string model, IReadOnlyList<(string Role, string Content)> turns)
    {
        foreach (var (role, _) in turns)
        {
            if (!SupportsRole(role))
            {
                throw new InvalidPromptException($"Model '{model}' cannot take messages of role '{role}' (its '{Name}' template has: {string.Join(", ", Roles.Keys)}).");
            }
        }

        return Render(turns);
    }

    public string Render(IEnumerable<(string Role, string Content)> messages, bool addGenerationPrompt = true)
    {
        var list = messages.ToList();
        if (SystemInFirstUser)
        {
            list = FoldSystem(list);
        }

        var prompt = new StringBuilder(Bos);
        foreach (var (role, content) in list)
        {
            var format = Roles.TryGetValue(role, out var f)
                ? f
                : throw new ArgumentException($"The '{Name}' chat template has no '{role}' role.", nameof(messages));
            prompt.Append(format.Prefix).Append(content).Append(format.Suffix);
        }

        if (addGenerationPrompt)
        {
            prompt.Append(GenerationPrompt);
        }

        return prompt.ToString();
    }

    private static List<(string Role, string Content)> FoldSystem(List<(string Role, string Content)> messages)
    {
        var system = string.Join("\n\n", messages.Where(m => m.Role == "system").Select(m => m.Content));
        var rest = messages.Where(m => m.Role != "system").ToList();
        if (system.Length == 0)
        {
            return rest;
        }

        var firstUser = rest.FindIndex(m => m.Role == "user");
        if (firstUser < 0)
        {
            rest.Insert(0, ("user", system));
        }
        else
        {
            rest[firstUser] = ("user", system + "\n\n" + rest[firstUser].Content);
        }

        return rest;
    }
}
