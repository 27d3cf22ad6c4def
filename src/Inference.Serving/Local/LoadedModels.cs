using System.Collections.Concurrent;
using Inference.Engines;
using Inference.Serving.Catalog;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Local;

/// <summary>
/// Models loaded at run time by <c>PUT /admin/models/{id}</c> (a rolling deployment loading a new version on each
/// Worker replica): served beside the configured ones until <c>DELETE /admin/models/{id}</c> unloads them. Loading
/// the same id from the same path again is a no-op, so a deployment that retries or resumes does no harm.
/// </summary>
public sealed class LoadedModels(LocalModelFactory factory, ModelCatalog catalog, IOptions<LocalModelsOptions> options, IEnumerable<IServedModelsObserver> observers) : IDisposable
{
    private readonly ConcurrentDictionary<string, (string Path, IDisposable Owner)> _loaded = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Loads <paramref name="path"/> as <paramref name="id"/>; false when it was loaded already.</summary>
    /// <exception cref="ModelFolderException">The files are not a model this service loads.</exception>
    /// <exception cref="InvalidOperationException">The id is taken by another model.</exception>
    public async Task<(ServedModel Model, bool Loaded)> LoadAsync(string id, string path, ModelKind? kind, string? chatTemplate, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var full = Resolve(path);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_loaded.TryGetValue(id, out var existing))
            {
                return existing.Path == full && catalog.Find(id) is { } same
                    ? (same, false)
                    : throw new InvalidOperationException($"'{id}' is loaded from '{existing.Path}'; unload it before loading '{full}'.");
            }

            if (catalog.Find(id) is not null)
            {
                throw new InvalidOperationException($"'{id}' is served from this service's configuration; pick another id.");
            }

            var detected = kind ?? factory.DetectKind(full);
            if (!options.Value.Kinds.Contains(detected))
            {
                throw new ModelFolderException(full, $"it is a {detected} model; this service serves {string.Join(" and ", options.Value.Kinds)} models.");
            }

            IDisposable owner = null!;
            var served = await Task.Run(() => factory.Serve(id, full, detected, chatTemplate, [], loadNow: true, keepAlive: null, out owner), cancellationToken);
            if (!catalog.TryAdd(served))
            {
                owner.Dispose();
                throw new InvalidOperationException($"'{id}' is already served.");
            }

            _loaded[id] = (full, owner);
            foreach (var observer in observers)
            {
                await observer.AddedAsync(served, cancellationToken);
            }

            return (served, true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops serving a model loaded at run time; false when no such model was loaded.</summary>
    public bool Unload(string id)
    {
        if (!_loaded.TryRemove(id, out var loaded))
        {
            return false;
        }

        catalog.Remove(id);
        loaded.Owner.Dispose();
        return true;
    }

    public void Dispose()
    {
        foreach (var id in _loaded.Keys)
        {
            Unload(id);
        }

        _gate.Dispose();
    }

    private string Resolve(string path) =>
        Path.IsPathRooted(path) || options.Value.ResolvedModelsDirectory is not { } root ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(root, path));
}
