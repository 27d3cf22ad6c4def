using System.Diagnostics;
using Inference.Serving.Catalog;
using Inference.Serving.Events;
using Microsoft.Extensions.Logging;

namespace Inference.Serving.Local;

/// <summary>
/// Loads one model folder or file in this process: the first registered model format that claims it loads it, and the
/// engine's client is served inside the MEAI pipeline every model gets. Used at start for the models directory and at
/// run time for models registered by path.
/// </summary>
public sealed class LocalModelFactory(
    IEnumerable<IModelFormat> formats,
    ModelResidency residency,
    OperationalEvents events,
    TimeProvider time,
    IServiceProvider services,
    ILogger<LocalModelFactory> logger)
{
    private readonly IModelFormat[] _formats = [.. formats];

    /// <summary>
    /// Serves the model as a resident one: loaded now (<paramref name="loadNow"/>, and so checked before traffic) or by
    /// its first request, unloaded after its keep_alive or to make room; its catalog entry says what the files of its
    /// latest load say. The entry's clients take a lease per call, so a model is never unloaded under a running request.
    /// </summary>
    /// <param name="owner">Disposes the model (and its weights) when it is no longer served.</param>
    public ServedModel Serve(string id, string path, ModelKind? kind, string? chatTemplate, IReadOnlyList<string> fallbacks, bool loadNow, TimeSpan? keepAlive, out IDisposable owner)
    {
        var format = FormatOf(path);
        var detected = kind ?? format.DetectKind(path);
        var resident = residency.Add(id, path, detected, format.WeightBytes(path), keepAlive, () => Load(format, id, path, detected, chatTemplate));

        // Loaded before the pipeline is built, so that its middleware (OpenTelemetry) reads the engine's metadata.
        LoadedModel? preloaded;
        try
        {
            preloaded = loadNow ? Load(format, id, path, detected, chatTemplate) : null;
        }
        catch
        {
            // Not served: nothing of it stays resident.
            residency.Remove(resident);
            resident.Dispose();
            throw;
        }

        if (preloaded is not null)
        {
            resident.Preloaded(preloaded);
        }

        var entry = new ServedModel
        {
            Id = id,
            Kind = detected,
            // What the files say once loaded (the latest load's description); the path and format until then.
            Description = new ModelDescription { Source = path, Format = format.Name },
            DescribedBy = () => resident.Description,
            Fallbacks = fallbacks,
            ChatClient = detected == ModelKind.Chat ? ModelPipeline.Chat(new ResidentChatClient(resident, time), id, "local", services) : null,
            EmbeddingGenerator = detected == ModelKind.Embedding ? ModelPipeline.Embeddings(new ResidentEmbeddingGenerator(resident, time), id, "local", services) : null,
            Classifier = detected == ModelKind.Classification ? ModelPipeline.Classifier(new ResidentTextClassifier(resident, time), id, "local", services) : null,
            Status = new ResidentStatus(resident),
            QueueDepth = () => resident.Loaded?.QueueDepth?.Invoke() ?? 0,
            RequestCount = () => resident.Loaded?.RequestCount?.Invoke() ?? 0,
        };
        owner = new ResidentOwner(resident, residency);
        return entry;
    }

    private LoadedModel Load(IModelFormat format, string id, string path, ModelKind kind, string? chatTemplate)
    {
        var started = Stopwatch.GetTimestamp();
        events.Info(OperationalEventCodes.ModelLoading, $"Loading {ModelKindNames.Of(kind)} model '{id}' ({format.Name}) from {path}.", id);
        LoadedModel loaded;
        try
        {
            loaded = format.Load(new ModelLoadRequest(id, path, kind, chatTemplate));
        }
        catch (Exception ex)
        {
            events.Error(OperationalEventCodes.ModelLoadFailed, $"Model '{id}' did not load: {ex.Message}", id);
            throw;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        LocalModelsLog.Loaded(logger, loaded.Kind.ToString(), id, format.Name, loaded.Description.Source, (long)elapsed.TotalMilliseconds);
        events.Info(OperationalEventCodes.ModelLoaded, $"Model '{id}' is ready ({format.Name}, {loaded.Description.Source}).", id, elapsed.TotalMilliseconds);
        return loaded;
    }

    private sealed class ResidentOwner(ResidentModel model, ModelResidency residency) : IDisposable
    {
        public void Dispose()
        {
            residency.Remove(model);
            model.Dispose();
        }
    }

    /// <summary>True when some engine of this service recognises the folder or file.</summary>
    public bool Claims(string path) => _formats.Any(f => f.Claims(path));

    /// <summary>The name of the format that claims <paramref name="path"/> ("onnx", "gguf"), or null when none does or it does not exist here.</summary>
    public string? FormatName(string path) => _formats.FirstOrDefault(f => f.Claims(path))?.Name;

    /// <summary>The kind of model at <paramref name="path"/>; throws <see cref="ModelFolderException"/> when no engine can load it.</summary>
    public ModelKind DetectKind(string path) => FormatOf(path).DetectKind(path);

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
