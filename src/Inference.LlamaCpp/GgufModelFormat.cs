using Inference.LlamaCpp.Gguf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.LlamaCpp;

/// <summary>
/// GGUF models for llama.cpp: a <c>.gguf</c> file, or a folder of them in the Hugging Face GGUF layout (several
/// quantizations of one model; the file loaded follows <see cref="LlamaCppEngineOptions.Quantization"/>). Chat models;
/// capabilities come from the GGUF metadata.
/// </summary>
public sealed class GgufModelFormat(IOptions<LlamaCppEngineOptions> options, ILoggerFactory loggers) : IModelFormat
{
    private readonly ILogger _logger = loggers.CreateLogger("Inference.LlamaCpp");

    public string Name => "gguf";

    public string Expects => "GGUF files (*.gguf)";

    public bool Claims(string path) => GgufFolder.HoldsModel(path);

    public ModelKind DetectKind(string path) => ModelKind.Chat;

    public long WeightBytes(string path) => WeightFiles.Bytes(path, ".gguf");

    public LoadedModel Load(ModelLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Kind != ModelKind.Chat)
        {
            throw new ModelFolderException(request.Path, "GGUF models are served as chat models only");
        }

        var model = LlamaChatModel.Load(request, options.Value, _logger);
        var file = model.File;
        return new LoadedModel
        {
            Kind = ModelKind.Chat,
            Description = new ModelDescription
            {
                Format = Name,
                Source = file.Path,
                Architecture = file.Architecture,
                ContextLength = model.ContextLength,
                ParameterCount = file.ParameterCount,
                Quantization = file.Quantization,
                ChatTemplate = model.ChatTemplate,
                ChatTemplateText = model.Format?.Template,
                ToolCallSyntax = model.Format?.ToolCalls.Name,
                Reasoning = model.Format?.Reasoning?.Name,
                EmbeddingLength = file.EmbeddingLength,
                Metadata = ModelInfo(file),
            },
            WeightBytes = WeightBytes(file.Path),
            ChatClient = new LlamaChatClient(model),
            Status = model.Status,
            QueueDepth = () => model.Status.QueueDepth,
            RequestCount = () => model.RequestCount,
            Owner = model,
        };
    }

    /// <summary>The metadata as Ollama's model_info shows it: every key but the long arrays (vocabulary, merges).</summary>
    private static Dictionary<string, object> ModelInfo(GgufFile file)
    {
        var info = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in file.Metadata)
        {
            if (Plain(value) is { } plain)
            {
                info[key] = plain;
            }
        }

        return info;
    }

    private static object? Plain(object value) => value switch
    {
        GgufArray => null,
        object[] array => array.Select(Plain).OfType<object>().ToArray(),
        string or bool => value,
        // The shortest decimal that round-trips the float: 1e-05, not 9.999999747378752E-06.
        float f => float.IsFinite(f) ? double.Parse(f.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture) : null,
        double => value,
        ulong u => (long)Math.Min(u, long.MaxValue),
        _ => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
