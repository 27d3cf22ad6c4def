using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Inference.Serving.Events;

/// <summary>
/// Records this service's operational events: each goes to every <see cref="IOperationalEventSink"/> the host
/// registered (the metadata database, the live event stream) and stays in memory, the newest
/// <see cref="Capacity"/>, for a service without a database to answer <c>/api/operational-events</c> from.
/// </summary>
public sealed class OperationalEvents(IServiceProvider services, IHostEnvironment environment, TimeProvider time)
{
    public const int Capacity = 2000;

    private readonly Lock _lock = new();
    private readonly LinkedList<OperationalEvent> _recent = new();
    private IOperationalEventSink[]? _sinks;

    /// <summary>The service events are recorded for (its application name).</summary>
    public string Service => environment.ApplicationName;

    public OperationalEvent Record(string level, string code, string message, string? model = null, double? durationMs = null)
    {
        var now = time.GetUtcNow();
        var recorded = new OperationalEvent(Guid.CreateVersion7(now), now, level, code, message, Service, model, durationMs is { } ms ? Math.Round(ms, 1) : null);
        lock (_lock)
        {
            _recent.AddFirst(recorded);
            if (_recent.Count > Capacity)
            {
                _recent.RemoveLast();
            }
        }

        // Resolved on first use: a sink may itself depend on services that record events.
        foreach (var sink in _sinks ??= [.. services.GetServices<IOperationalEventSink>()])
        {
            sink.Write(recorded);
        }

        return recorded;
    }

    public OperationalEvent Info(string code, string message, string? model = null, double? durationMs = null) =>
        Record(OperationalEventLevels.Info, code, message, model, durationMs);

    public OperationalEvent Warning(string code, string message, string? model = null) => Record(OperationalEventLevels.Warning, code, message, model);

    public OperationalEvent Error(string code, string message, string? model = null) => Record(OperationalEventLevels.Error, code, message, model);

    /// <summary>The events held in memory, newest first.</summary>
    public IReadOnlyList<OperationalEvent> Recent()
    {
        lock (_lock)
        {
            return [.. _recent];
        }
    }
}
