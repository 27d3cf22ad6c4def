namespace Inference.Engines.Templates;

/// <summary>The built-in families, written out as their reference Jinja templates render them.</summary>
public static class ChatTemplates
{
    public static ChatTemplate ChatMl { get; } = new()
    {
        Name = "chatml",
        Roles = new Dictionary<string, RoleFormat>
        {
            ["system"] = new("<|im_start|>system\n", "<|im_end|>\n"),
            ["user"] = new("<|im_start|>user\n", "<|im_end|>\n"),
            ["assistant"] = new("<|im_start|>assistant\n", "<|im_end|>\n"),
        },
        GenerationPrompt = "<|im_start|>assistant\n",
        Stop = ["<|im_end|>"],
    };

    public static ChatTemplate Llama3 { get; } = new()
    {
        Name = "llama3",
        Bos = "<|begin_of_text|>",
        Roles = new Dictionary<string, RoleFormat>
        {
            ["system"] = new("<|start_header_id|>system<|end_header_id|>\n\n", "<|eot_id|>"),
            ["user"] = new("<|start_header_id|>user<|end_header_id|>\n\n", "<|eot_id|>"),
            ["assistant"] = new("<|start_header_id|>assistant<|end_header_id|>\n\n", "<|eot_id|>"),
        },
        GenerationPrompt = "<|start_header_id|>assistant<|end_header_id|>\n\n",
        Stop = ["<|eot_id|>"],
    };

    public static ChatTemplate Gemma { get; } = new()
    {
        Name = "gemma",
        Bos = "<bos>",
        Roles = new Dictionary<string, RoleFormat>
        {
            ["user"] = new("<start_of_turn>user\n", "<end_of_turn>\n"),
            ["assistant"] = new("<start_of_turn>model\n", "<end_of_turn>\n"),
        },
        GenerationPrompt = "<start_of_turn>model\n",
        SystemInFirstUser = true,
        Stop = ["<end_of_turn>"],
    };

    public static ChatTemplate Phi3 { get; } = new()
    {
        Name = "phi3",
        Roles = new Dictionary<string, RoleFormat>
        {
            ["system"] = new("<|system|>\n", "<|end|>\n"),
            ["user"] = new("<|user|>\n", "<|end|>\n"),
            ["assistant"] = new("<|assistant|>\n", "<|end|>\n"),
        },
        GenerationPrompt = "<|assistant|>\n",
        Stop = ["<|end|>"],
    };

    public static ChatTemplate Mistral { get; } = new()
    {
        Name = "mistral",
        Bos = "<s>",
        Roles = new Dictionary<string, RoleFormat>
        {
            ["user"] = new("[INST] ", " [/INST]"),
            ["assistant"] = new("", "</s>"),
        },
        GenerationPrompt = "",
        SystemInFirstUser = true,
    };

    public static IReadOnlyList<ChatTemplate> All { get; } = [ChatMl, Llama3, Gemma, Phi3, Mistral];

    /// <summary>The built-in template of that name (case-insensitive), or null.</summary>
    public static ChatTemplate? Find(string name) =>
        All.FirstOrDefault(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The configured built-in template of a model at <paramref name="path"/>; an unknown name stops its load.</summary>
    public static ChatTemplate Require(string name, string path) =>
        Find(name) ?? throw new ModelFolderException(path, $"unknown chat template '{name}' (known: {string.Join(", ", All.Select(t => t.Name))})");

    /// <summary>The built-in family a Jinja chat template belongs to, recognised by its markers; null when none is.</summary>
    public static ChatTemplate? Detect(string jinja) => jinja switch
    {
        _ when jinja.Contains("<|im_start|>", StringComparison.Ordinal) => ChatMl,
        _ when jinja.Contains("<|start_header_id|>", StringComparison.Ordinal) => Llama3,
        _ when jinja.Contains("<start_of_turn>", StringComparison.Ordinal) => Gemma,
        _ when jinja.Contains("<|assistant|>", StringComparison.Ordinal) && jinja.Contains("<|end|>", StringComparison.Ordinal) => Phi3,
        _ when jinja.Contains("[INST]", StringComparison.Ordinal) => Mistral,
        _ => null,
    };
}
