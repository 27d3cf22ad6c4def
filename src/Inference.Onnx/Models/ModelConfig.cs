using System.Text.Json.Nodes;

namespace Inference.Onnx.Models;

/// <summary>
/// What the engine needs from a model folder's configuration files: <c>config.json</c> (Hugging Face),
/// falling back to <c>genai_config.json</c> (onnxruntime-genai), plus <c>generation_config.json</c>.
/// Shapes found in the ONNX graph take precedence over these numbers.
/// </summary>
public sealed record ModelConfig
{
    public required string ModelType { get; init; }

    public IReadOnlyList<string> Architectures { get; init; } = [];

    public int? VocabSize { get; init; }

    public int? ContextLength { get; init; }

    public int? HiddenSize { get; init; }

    public int? NumLayers { get; init; }

    public int? NumAttentionHeads { get; init; }

    public int? NumKeyValueHeads { get; init; }

    public int? HeadSize { get; init; }

    public int? BosTokenId { get; init; }

    public int? PadTokenId { get; init; }

    /// <summary>End-of-sequence ids: generation_config first (it may list several), then config.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>generation_config's <c>do_sample</c>: when false, requests without a temperature decode greedily.</summary>
    public bool DoSample { get; init; }

    public float? DefaultTemperature { get; init; }

    public float? DefaultTopP { get; init; }

    public int? DefaultTopK { get; init; }

    public float? DefaultRepetitionPenalty { get; init; }

    /// <summary>Embedding pooling from config ("mean" or "cls"); null when the config does not say.</summary>
    public string? Pooling { get; init; }

    public bool? Normalize { get; init; }

    public string? TorchDtype { get; init; }

    /// <summary>
    /// A classifier's labels in index order (config.json's <c>id2label</c>); null without one, or when its keys are not
    /// the indices 0..n-1.
    /// </summary>
    public IReadOnlyList<string>? Labels { get; init; }

    public static ModelConfig Load(string folder)
    {
        var config = JsonFile.ReadOptional(folder, "config.json");
        var genai = JsonFile.ReadOptional(folder, "genai_config.json");
        var generation = JsonFile.ReadOptional(folder, "generation_config.json");

        if (config is null && genai is null)
        {
            throw new ModelFolderException(folder, "neither config.json nor genai_config.json is present");
        }

        return config is not null ? FromHuggingFace(config, generation) : FromGenAi(folder, genai!, generation);
    }

    private static ModelConfig FromHuggingFace(JsonObject config, JsonObject? generation)
    {
        var heads = config.Int("num_attention_heads") ?? config.Int("n_head");
        var hidden = config.Int("hidden_size") ?? config.Int("n_embd");
        var eos = generation.IntOrList("eos_token_id");
        return new ModelConfig
        {
            ModelType = config.String("model_type") ?? "unknown",
            Architectures = config["architectures"] is JsonArray a ? [.. a.Select(x => x?.ToString() ?? "")] : [],
            VocabSize = config.Int("vocab_size"),
            ContextLength = config.Int("max_position_embeddings") ?? config.Int("n_positions") ?? config.Int("n_ctx"),
            HiddenSize = hidden,
            NumLayers = config.Int("num_hidden_layers") ?? config.Int("n_layer"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = config.Int("num_key_value_heads") ?? heads,
            HeadSize = config.Int("head_dim") ?? (hidden is int h && heads is int n && n > 0 ? h / n : null),
            BosTokenId = generation.Int("bos_token_id") ?? config.Int("bos_token_id"),
            PadTokenId = generation.Int("pad_token_id") ?? config.Int("pad_token_id"),
            EosTokenIds = eos.Count > 0 ? eos : config.IntOrList("eos_token_id"),
            DoSample = generation.Bool("do_sample") ?? false,
            DefaultTemperature = generation.Float("temperature"),
            DefaultTopP = generation.Float("top_p"),
            DefaultTopK = generation.Int("top_k"),
            DefaultRepetitionPenalty = generation.Float("repetition_penalty"),
            Pooling = config.String("pooling"),
            Normalize = config.Bool("normalize"),
            TorchDtype = config.String("torch_dtype"),
            Labels = LabelsOf(config["id2label"] as JsonObject),
        };
    }

    private static string[]? LabelsOf(JsonObject? id2label)
    {
        if (id2label is null || id2label.Count == 0)
        {
            return null;
        }

        var labels = new string[id2label.Count];
        foreach (var (key, value) in id2label)
        {
            if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                || index >= labels.Length || labels[index] is not null || value?.ToString() is not { Length: > 0 } label)
            {
                return null;
            }

            labels[index] = label;
        }

        return labels;
    }

    private static ModelConfig FromGenAi(string folder, JsonObject genai, JsonObject? generation)
    {
        var model = genai["model"] as JsonObject ?? throw new ModelFolderException(folder, "genai_config.json has no \"model\" section");
        var decoder = model["decoder"] as JsonObject;
        var eos = generation.IntOrList("eos_token_id");
        return new ModelConfig
        {
            ModelType = model.String("type") ?? "unknown",
            VocabSize = model.Int("vocab_size"),
            ContextLength = model.Int("context_length"),
            HiddenSize = decoder.Int("hidden_size"),
            NumLayers = decoder.Int("num_hidden_layers"),
            NumAttentionHeads = decoder.Int("num_attention_heads"),
            NumKeyValueHeads = decoder.Int("num_key_value_heads"),
            HeadSize = decoder.Int("head_size"),
            BosTokenId = model.Int("bos_token_id"),
            PadTokenId = model.Int("pad_token_id"),
            EosTokenIds = eos.Count > 0 ? eos : model.IntOrList("eos_token_id"),
            DoSample = (genai["search"] as JsonObject).Bool("do_sample") ?? false,
        };
    }
}
