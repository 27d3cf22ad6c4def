using System.Text.Json.Serialization;

namespace Inference.Engines.Templates;

/// <summary>
/// The prefix/suffix form of <c>prompt_template.json</c> that llama.cpp workers use: user and model parts,
/// optional system parts and stop strings.
/// </summary>
internal sealed record PrefixPromptTemplate
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("bos")]
    public string? Bos { get; init; }

    [JsonPropertyName("system_prefix")]
    public string? SystemPrefix { get; init; }

    [JsonPropertyName("system_suffix")]
    public string? SystemSuffix { get; init; }

    [JsonPropertyName("user_prefix")]
    public required string UserPrefix { get; init; }

    [JsonPropertyName("user_suffix")]
    public string UserSuffix { get; init; } = "";

    [JsonPropertyName("model_prefix")]
    public required string ModelPrefix { get; init; }

    [JsonPropertyName("model_suffix")]
    public string ModelSuffix { get; init; } = "";

    [JsonPropertyName("stop")]
    public IReadOnlyList<string>? Stop { get; init; }

    /// <summary>
    /// As a <see cref="ChatTemplate"/>: without system parts the system text joins the first user message; the model
    /// suffix (without surrounding whitespace) ends a turn unless stop strings are given.
    /// </summary>
    public ChatTemplate ToChatTemplate()
    {
        var roles = new Dictionary<string, RoleFormat>
        {
            ["user"] = new(UserPrefix, UserSuffix),
            ["assistant"] = new(ModelPrefix, ModelSuffix),
        };
        if (SystemPrefix is not null)
        {
            roles["system"] = new(SystemPrefix, SystemSuffix ?? "");
        }

        var end = ModelSuffix.Trim();
        return new ChatTemplate
        {
            Name = Name ?? "custom",
            Bos = Bos ?? "",
            Roles = roles,
            GenerationPrompt = ModelPrefix,
            SystemInFirstUser = SystemPrefix is null,
            Stop = Stop ?? (end.Length > 0 ? [end] : []),
        };
    }
}
