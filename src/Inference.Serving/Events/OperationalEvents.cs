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
    private DateTimeOffset _lastTime = DateTimeOffset.MinValue;
    private Guid _lastId = Guid.Empty;

    /// <summary>The service events are recorded for (its application name).</summary>
    public string Service => environment.ApplicationName;

    public OperationalEvent Record(string level, string code, string message, string? model = null, double? durationMs = null)
    {
        OperationalEvent recorded;
        lock (_lock)
        {
            // Events sort by time, then id: both only grow, so two events of one moment (or of one stored tick) keep the
            // order they happened in. A version 7 id is random within its millisecond; the next one is the last plus one.
            var now = time.GetUtcNow();
            now = now < _lastTime ? _lastTime : now;
            var id = Guid.CreateVersion7(now);
            if (UInt128Of(id) <= UInt128Of(_lastId))
            {
                id = GuidOf(UInt128Of(_lastId) + 1);
            }

            (_lastTime, _lastId) = (now, id);
            recorded = new OperationalEvent(id, now, level, code, message, Service, model, durationMs is { } ms ? Math.Round(ms, 1) : null);
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

    /// <summary>An id as the number its bytes spell in the order they are written (and sorted: by PostgreSQL, and as text by SQLite).</summary>
    private static UInt128 UInt128Of(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static Guid GuidOf(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The events held in memory, newest first.</summary>
    public IReadOnlyList<OperationalEvent> Recent()
    {
        lock (_lock)
        {
            return [.. _recent];
        }
    }
}
