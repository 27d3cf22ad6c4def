using System.Collections.Concurrent;
using Inference.Serving.Catalog;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Local;

/// <summary>
/// The local models of this service and which of them are in memory: unloads those whose keep_alive has passed, and
/// before a model loads, the least recently used idle ones until the memory budget has room (waiting for running
/// requests to end, at most <see cref="ResidencyOptions.MaxWaitForRoom"/>, then refusing the request with a 429 so
/// that a fallback may answer). Ollama's <c>/api/ps</c> lists what is loaded.
/// </summary>
public sealed partial class ModelResidency : BackgroundService
{
    private readonly ConcurrentDictionary<string, ResidentModel> _models = new(StringComparer.Ordinal);
    private readonly IOptions<ResidencyOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelResidency> _logger;
    private readonly Events.OperationalEvents? _events;

    public ModelResidency(IOptions<ResidencyOptions> options, TimeProvider time, ILogger<ModelResidency> logger, Events.OperationalEvents? events = null)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _events = events;
        Routing.RoutingTelemetry.Observe(this);
    }

    public IReadOnlyCollection<ResidentModel> Models => [.. _models.Values.OrderBy(m => m.Id, StringComparer.Ordinal)];

    public ResidentModel? Find(string id) => _models.GetValueOrDefault(id);

    /// <summary>The keep_alive models get when neither they nor the request say.</summary>
    public TimeSpan DefaultKeepAlive => KeepAlive.TryParse(_options.Value.KeepAlive, out var value) ? value : KeepAlive.Forever;

    /// <param name="weightBytes">The weights' size on disk as the model's format reckons it, until a load says.</param>
    internal ResidentModel Add(string id, string path, ModelKind kind, long weightBytes, TimeSpan? keepAlive, Func<LoadedModel> load)
    {
        var model = new ResidentModel(id, path, kind, weightBytes, keepAlive ?? DefaultKeepAlive, load, this);
        _models[id] = model;
        return model;
    }

    internal void Remove(ResidentModel model) => _models.TryRemove(new KeyValuePair<string, ResidentModel>(model.Id, model));

    internal async Task MakeRoomAsync(ResidentModel loading, CancellationToken cancellationToken)
    {
        if (_options.Value.MemoryBudgetBytes is not { } budget)
        {
            return;
        }

        var started = _time.GetTimestamp();
        while (true)
        {
            var used = _models.Values.Where(m => m.IsLoaded && m != loading).Sum(m => m.SizeBytes);
            if (used + loading.SizeBytes <= budget)
            {
                return;
            }

            var idle = _models.Values.Where(m => m.IsLoaded && m != loading && m.Leases == 0).OrderBy(m => m.LastUsed).FirstOrDefault();
            if (idle is not null)
            {
                if (idle.TryUnload())
                {
                    Log.Evicted(_logger, idle.Id, loading.Id, budget);
                }

                continue;
            }

            if (!_models.Values.Any(m => m.IsLoaded && m != loading))
            {
                // Nothing else is loaded: the model alone exceeds the budget.
                Log.OverBudget(_logger, loading.Id, loading.SizeBytes, budget);
                return;
            }

            if (_time.GetElapsedTime(started) >= _options.Value.MaxWaitForRoom)
            {
                // What could go is busy for too long.
                throw new ModelBusyException(loading.Id, 0);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
        }
    }

    public override void Dispose()
    {
        Routing.RoutingTelemetry.Forget(this);
        base.Dispose();
    }

    internal void Unloaded(ResidentModel model)
    {
        Log.Unloaded(_logger, model.Id);
        _events?.Info(Events.OperationalEventCodes.ModelUnloaded, $"Model '{model.Id}' was unloaded; it loads again on its next request.", model.Id);
    }

    /// <summary>Unloads every idle model whose keep_alive has passed.</summary>
    public void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var model in _models.Values)
        {
            if (model.IsLoaded && model.ExpiresAt is { } expires && expires <= now)
            {
                model.TryUnload();
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250), _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Sweep();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded model {Model}.")]
        public static partial void Unloaded(ILogger logger, string model);

        [LoggerMessage(Level = LogLevel.Information, Message = "Unloading model {Model}, the least recently used, to load {Loading} within the memory budget of {Budget} bytes.")]
        public static partial void Evicted(ILogger logger, string model, string loading, long budget);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} ({Size} bytes) alone exceeds the memory budget of {Budget} bytes; it is loaded anyway.")]
        public static partial void OverBudget(ILogger logger, string model, long size, long budget);
    }
}
