using Inference.Serving.Catalog;

namespace Inference.Serving.Local;

/// <summary>
/// A local model that may or may not be in memory: requests take a lease (loading it first when it is not), and the
/// last lease to end sets when it expires (its keep_alive). <see cref="ModelResidency"/> unloads it once expired, or
/// to make room under the memory budget, but never while a lease is held.
/// </summary>
public sealed class ResidentModel : IDisposable
{
    private readonly Func<LoadedModel> _load;
    private readonly ModelResidency _residency;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly Lock _lock = new();
    private LoadedModel? _loaded;
    private int _leases;
    private bool _unloadWhenIdle;

    internal ResidentModel(string id, string path, ModelKind kind, long estimatedBytes, TimeSpan keepAlive, Func<LoadedModel> load, ModelResidency residency)
    {
        Id = id;
        Path = path;
        Kind = kind;
        SizeBytes = estimatedBytes;
        DefaultKeepAlive = keepAlive;
        _load = load;
        _residency = residency;
    }

    public string Id { get; }

    public string Path { get; }

    public ModelKind Kind { get; }

    /// <summary>The weights' size on disk: estimated from the folder before the first load, the loaded files' after.</summary>
    public long SizeBytes { get; private set; }

    public TimeSpan DefaultKeepAlive { get; }

    public bool IsLoaded => _loaded is not null;

    /// <summary>The engine's model while it is loaded.</summary>
    public LoadedModel? Loaded => _loaded;

    public int Leases => _leases;

    public DateTimeOffset LastUsed { get; private set; }

    /// <summary>When it unloads if no request comes; null while in use or kept for ever.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>What the files of its latest load say it is (kept while it is unloaded); null before the first load.</summary>
    public ModelDescription? Description { get; private set; }

    /// <summary>Its latest load's queue capacity and decode batch, reported while it is unloaded.</summary>
    internal (int QueueCapacity, int MaxSequences) LastCapacity { get; private set; } = (0, 1);

    /// <summary>Takes the model as loaded before the service takes traffic.</summary>
    internal void Preloaded(LoadedModel loaded)
    {
        lock (_lock)
        {
            Took(loaded);
        }
    }

    private void Took(LoadedModel loaded)
    {
        SizeBytes = loaded.WeightBytes > 0 ? loaded.WeightBytes : SizeBytes;
        Description = loaded.Description;
        LastCapacity = (loaded.Status?.QueueCapacity ?? 0, loaded.Status?.MaxSequences ?? 1);
        _loaded = loaded;
    }

    /// <summary>Takes a lease on the loaded model, loading it first (after making room) when it is not in memory.</summary>
    public async ValueTask<LoadedModel> AcquireAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_loaded is { } ready)
            {
                _leases++;
                ExpiresAt = null;
                return ready;
            }
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_loaded is null)
            {
                await _residency.MakeRoomAsync(this, cancellationToken);
                var loaded = await Task.Run(_load, cancellationToken);
                lock (_lock)
                {
                    Took(loaded);
                }
            }

            lock (_lock)
            {
                _leases++;
                ExpiresAt = null;
                return _loaded!;
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// Runs one call on the loaded model under a lease (loading it first), ended when the call ends with the keep_alive
    /// the request's <paramref name="properties"/> give, else the model's own.
    /// </summary>
    internal async Task<T> LeasedAsync<T>(Func<LoadedModel, Task<T>> call, Microsoft.Extensions.AI.AdditionalPropertiesDictionary? properties, TimeProvider time, CancellationToken cancellationToken)
    {
        var loaded = await AcquireAsync(cancellationToken);
        try
        {
            return await call(loaded);
        }
        finally
        {
            Release(ResidentOptions.KeepAliveOf(properties), time.GetUtcNow());
        }
    }

    /// <summary>Ends a lease; the last one sets the expiry from <paramref name="keepAlive"/> (the request's) or the model's own.</summary>
    public void Release(TimeSpan? keepAlive, DateTimeOffset now)
    {
        bool unloadNow;
        lock (_lock)
        {
            _leases--;
            LastUsed = now;
            var keep = keepAlive ?? DefaultKeepAlive;
            if (_leases > 0)
            {
                return;
            }

            ExpiresAt = keep < TimeSpan.Zero ? null : now + keep;
            unloadNow = keep == TimeSpan.Zero || _unloadWhenIdle;
        }

        if (unloadNow)
        {
            TryUnload();
        }
    }

    /// <summary>Unloads the model now if it is idle, else as soon as its running requests end.</summary>
    public void UnloadWhenIdle()
    {
        lock (_lock)
        {
            _unloadWhenIdle = _loaded is not null;
        }

        TryUnload();
    }

    /// <summary>Unloads the model when no request holds it; false when one does (or it is not loaded).</summary>
    public bool TryUnload()
    {
        LoadedModel? unloaded;
        lock (_lock)
        {
            if (_leases > 0 || _loaded is null)
            {
                return false;
            }

            unloaded = _loaded;
            _loaded = null;
            ExpiresAt = null;
            _unloadWhenIdle = false;
        }

        unloaded.Owner?.Dispose();
        _residency.Unloaded(this);
        return true;
    }

    public void Dispose()
    {
        _loaded?.Owner?.Dispose();
        _loaded = null;
        _loading.Dispose();
    }
}
