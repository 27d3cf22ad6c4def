using System.Diagnostics;
using Inference.Onnx.Chat;
using Inference.Onnx.Embeddings;
using Inference.Onnx.Models;
using Inference.Serving.Catalog;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Local;

/// <summary>
/// Loads the local models before the server takes traffic and adds each to the catalog as a MEAI pipeline
/// (OpenTelemetry with GenAI conventions around the ONNX engine). A broken folder stops the start with its name.
/// </summary>
internal sealed class LocalModelLoader(
    IOptions<LocalModelsOptions> options,
    ModelCatalog catalog,
    IServiceProvider services,
    ILogger<LocalModelLoader> logger) : IHostedService, IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var root = settings.ServeLocalModels ? ResolveDirectory(settings) : null;
        foreach (var (id, folder, definition) in Plan(settings, root))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var kind = definition?.Kind ?? ModelKindDetector.Detect(folder);
            if (!settings.Kinds.Contains(kind))
            {
                continue;
            }

            var model = kind == LocalModelKind.Chat ? LoadChat(id, folder, definition, settings) : LoadEmbedding(id, folder, settings);
            catalog.Add(model with { Source = folder, Fallbacks = definition?.Fallbacks ?? [] });
            LocalModelsLog.Loaded(logger, kind.ToString(), id, folder, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        // Remote models are registered before this runs; with none of those either, there is nothing to serve.
        if (catalog.Models.Count == 0)
        {
            if (root is null)
            {
                throw new InferenceConfigurationException(
                    $"No models to serve: set {ModelsDirectory.EnvironmentVariable} or Inference:ModelsDirectory to a folder of model folders, or configure Inference:Models or Inference:Remote.");
            }

            LocalModelsLog.NoModels(logger, root);
        }

        catalog.MarkReady();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static string? ResolveDirectory(LocalModelsOptions settings)
    {
        var root = settings.ModelsDirectory is { Length: > 0 } configured ? Path.GetFullPath(configured) : ModelsDirectory.Locate();
        if (root is null)
        {
            // Nothing local to serve: fine for a gateway of remote models, checked once loading is done.
            return null;
        }

        if (!Directory.Exists(root))
        {
            throw new InferenceConfigurationException($"The models directory '{root}' (Inference:ModelsDirectory / {ModelsDirectory.EnvironmentVariable}) does not exist.");
        }

        return root;
    }

    private IEnumerable<(string Id, string Folder, LocalModelDefinition? Definition)> Plan(LocalModelsOptions settings, string? root)
    {
        if (!settings.ServeLocalModels)
        {
            yield break;
        }

        if (settings.Models.Count > 0)
        {
            foreach (var (id, definition) in settings.Models.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                var path = definition.Path ?? id;
                var folder = Path.IsPathRooted(path) || root is null ? Path.GetFullPath(path) : Path.Combine(root, path);
                yield return (id, folder, definition);
            }

            yield break;
        }

        if (root is null)
        {
            yield break;
        }

        LocalModelsLog.LoadingFrom(logger, root);
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            if (!ModelKindDetector.HasWeights(folder))
            {
                LocalModelsLog.SkippedNoWeights(logger, folder);
                continue;
            }

            yield return (Path.GetFileName(folder), folder, null);
        }
    }

    private ServedModel LoadChat(string id, string folder, LocalModelDefinition? definition, LocalModelsOptions settings)
    {
        var model = LocalChatModel.Load(id, folder, settings.Engine, definition?.ChatTemplate);
        _owned.Add(model);
        var client = ModelPipeline.Chat(new OnnxChatClient(model), id, "local", services);
        return new ServedModel
        {
            Id = id,
            Kind = ModelKind.Chat,
            ContextLength = model.ContextLength,
            ParameterCount = model.Weights.ParameterCount,
            Quantization = model.Weights.Quantization,
            ChatTemplate = model.Template?.Name,
            ChatClient = client,
            QueueDepth = () => model.Queue.Depth,
            RequestCount = () => model.Queue.Admitted,
        };
    }

    private ServedModel LoadEmbedding(string id, string folder, LocalModelsOptions settings)
    {
        var model = LocalEmbeddingModel.Load(id, folder, settings.Engine);
        _owned.Add(model);
        var generator = ModelPipeline.Embeddings(new OnnxEmbeddingGenerator(model), id, "local", services);
        return new ServedModel
        {
            Id = id,
            Kind = ModelKind.Embedding,
            ContextLength = model.MaxTokens,
            Dimensions = model.Dimensions,
            ParameterCount = model.Weights.ParameterCount,
            Quantization = model.Weights.Quantization,
            EmbeddingGenerator = generator,
            QueueDepth = () => model.Queue.Depth,
            RequestCount = () => model.Queue.Admitted,
        };
    }
}
