using System.Diagnostics;
using Inference.Serving.Catalog;
using Microsoft.Extensions.Logging;

namespace Inference.Serving.Local;

/// <summary>
/// Loads one model folder or file in this process: the first registered model format that claims it loads it, and the
/// engine's client is served inside the MEAI pipeline every model gets. Used at start for the models directory and at
/// run time for models registered by path.
/// </summary>
public sealed class LocalModelFactory(IEnumerable<IModelFormat> formats, IServiceProvider services, ILogger<LocalModelFactory> logger)
{
    private readonly IModelFormat[] _formats = [.. formats];

    /// <summary>True when some engine of this service recognises the folder or file.</summary>
    public bool Claims(string path) => _formats.Any(f => f.Claims(path));

    /// <summary>The kind of model at <paramref name="path"/>; throws <see cref="ModelFolderException"/> when no engine can load it.</summary>
    public ModelKind DetectKind(string path) => FormatOf(path).DetectKind(path);

    /// <summary>Loads the model; a broken one throws <see cref="ModelFolderException"/> naming the file and the cause.</summary>
    /// <param name="owner">What to dispose when the model is no longer served (its weights, sessions, schedulers).</param>
    public ServedModel Load(string id, string path, ModelKind? kind, string? chatTemplate, IReadOnlyList<string> fallbacks, out IDisposable? owner)
    {
        var started = Stopwatch.GetTimestamp();
        var format = FormatOf(path);
        var loaded = format.Load(new ModelLoadRequest(id, path, kind ?? format.DetectKind(path), chatTemplate));
        owner = loaded.Owner;
        LocalModelsLog.Loaded(logger, loaded.Kind.ToString(), id, format.Name, loaded.Source, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new ServedModel
        {
            Id = id,
            Kind = loaded.Kind,
            Source = loaded.Source,
            Format = loaded.Format,
            Fallbacks = fallbacks,
            Architecture = loaded.Architecture,
            ContextLength = loaded.ContextLength,
            ParameterCount = loaded.ParameterCount,
            Quantization = loaded.Quantization,
            ChatTemplate = loaded.ChatTemplate,
            Dimensions = loaded.Dimensions,
            EmbeddingLength = loaded.EmbeddingLength,
            Metadata = loaded.Metadata,
            ChatClient = loaded.ChatClient is { } chat ? ModelPipeline.Chat(chat, id, "local", services) : null,
            EmbeddingGenerator = loaded.EmbeddingGenerator is { } embeddings ? ModelPipeline.Embeddings(embeddings, id, "local", services) : null,
            Status = loaded.Status,
            QueueDepth = loaded.QueueDepth,
            RequestCount = loaded.RequestCount,
        };
    }

    private IModelFormat FormatOf(string path)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            throw new ModelFolderException(path, "the folder does not exist");
        }

        return _formats.FirstOrDefault(f => f.Claims(path)) ?? throw new ModelFolderException(path, _formats.Length == 0
            ? "no model engine is registered in this service"
            : $"no model weights found (expected {string.Join(" or ", _formats.Select(f => f.Expects))})");
    }
}
