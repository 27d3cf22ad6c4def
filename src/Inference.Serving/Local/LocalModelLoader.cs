using Inference.Serving.Catalog;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Local;

/// <summary>
/// Loads the local models before the server takes traffic: each folder or file goes to the first registered model
/// format that claims it, and the engine's client joins the catalog inside the MEAI pipeline every model gets. A broken
/// model stops the start with its path and the cause.
/// </summary>
internal sealed class LocalModelLoader(
    IOptions<LocalModelsOptions> options,
    LocalModelFactory factory,
    ModelCatalog catalog,
    ILogger<LocalModelLoader> logger) : IHostedService, IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var root = settings.ServeLocalModels ? ResolveDirectory(settings) : null;
        foreach (var (id, path, definition) in Plan(settings, root))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ModelKind kind;
            try
            {
                kind = definition?.Kind ?? factory.DetectKind(path);
            }
            catch (ModelFolderException ex) when (definition is null && ex.UnrecognizedKind)
            {
                // A scanned folder of a kind no engine here serves: a newer kind of model never stops an older build.
                LocalModelsLog.SkippedUnrecognized(logger, path, ex.Problem);
                continue;
            }

            if (!settings.Kinds.Contains(kind))
            {
                continue;
            }

            var setting = $"Inference:Models:{id}";
            var loadNow = definition?.Load switch
            {
                null or "start" => true,
                "first-use" => false,
                var other => throw new InferenceConfigurationException($"{setting}:Load '{other}' is unknown; use start or first-use."),
            };
            TimeSpan? keepAlive = null;
            if (definition?.KeepAlive is { } text)
            {
                keepAlive = KeepAlive.TryParse(text, out var parsed) ? parsed : throw new InferenceConfigurationException($"{setting}:KeepAlive '{text}' is not a duration (5m, 30s, -1).");
            }

            var served = factory.Serve(id, path, kind, definition?.ChatTemplate, definition?.Fallbacks ?? [], loadNow, keepAlive, out var owner);
            _owned.Add(owner);
            catalog.Add(served);
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
        var root = settings.ResolvedModelsDirectory;
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

    private IEnumerable<(string Id, string Path, LocalModelDefinition? Definition)> Plan(LocalModelsOptions settings, string? root)
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
                yield return (id, Path.IsPathRooted(path) || root is null ? Path.GetFullPath(path) : Path.Combine(root, path), definition);
            }

            yield break;
        }

        if (root is null)
        {
            yield break;
        }

        foreach (var directory in Directories(settings, root))
        {
            LocalModelsLog.LoadingFrom(logger, directory);
            foreach (var folder in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
            {
                if (!factory.Claims(folder))
                {
                    LocalModelsLog.SkippedNoWeights(logger, folder);
                    continue;
                }

                yield return (Path.GetFileName(folder), folder, null);
            }
        }
    }

    /// <summary>The models directory, then each additional one that exists (relative to the models directory).</summary>
    private IEnumerable<string> Directories(LocalModelsOptions settings, string root)
    {
        yield return root;
        foreach (var extra in settings.AdditionalModelsDirectories.Where(d => !string.IsNullOrWhiteSpace(d)))
        {
            var full = Path.GetFullPath(Path.Combine(root, extra));
            if (Directory.Exists(full))
            {
                yield return full;
            }
            else
            {
                LocalModelsLog.MissingAdditionalDirectory(logger, full);
            }
        }
    }
}
