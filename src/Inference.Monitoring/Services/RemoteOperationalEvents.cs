using System.Collections.Concurrent;
using System.Net.Http.Json;
using Inference.Serving.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Monitoring.Services;

/// <summary>
/// Brings the operational events of the Workers and Embeddings services this one routes to (which have no metadata
/// database of their own) into this service's sinks, at each status sample: the Api keeps every service's events in
/// its database and pushes them on its live stream. Each event is taken once (by its id), oldest first.
/// </summary>
internal sealed class RemoteOperationalEvents(IServiceProvider services)
{
    private const int MaxRemembered = 5000;

    private readonly ConcurrentDictionary<string, Cursor> _cursors = new(StringComparer.Ordinal);
    private IOperationalEventSink[]? _sinks;

    public async Task CollectAsync(HttpClient http, string key, Uri root, CancellationToken cancellationToken)
    {
        var cursor = _cursors.GetOrAdd(key, _ => new Cursor());
        var since = cursor.Since is { } at ? "&since=" + Uri.EscapeDataString(at.ToString("O")) : "";
        var page = await http.GetFromJsonAsync(
            new Uri(root, $"/api/operational-events?limit={Inference.Serving.Events.OperationalEventQuery.MaxLimit}{since}"), MonitoringJsonContext.Default.OperationalEventPage, cancellationToken).ConfigureAwait(false);
        if (page is null)
        {
            return;
        }

        _sinks ??= [.. services.GetServices<IOperationalEventSink>()];
        foreach (var e in page.Events.OrderBy(e => e.Timestamp))
        {
            if (!cursor.Remember(e))
            {
                continue;
            }

            foreach (var sink in _sinks)
            {
                sink.Write(e);
            }
        }
    }

    /// <summary>The newest time taken from one service, and the ids taken (a page may repeat events at that time).</summary>
    private sealed class Cursor
    {
        private readonly Lock _lock = new();
        private readonly HashSet<Guid> _seen = [];
        private readonly Queue<Guid> _order = new();

        public DateTimeOffset? Since { get; private set; }

        public bool Remember(OperationalEvent e)
        {
            lock (_lock)
            {
                if (!_seen.Add(e.Id))
                {
                    return false;
                }

                _order.Enqueue(e.Id);
                if (_order.Count > MaxRemembered)
                {
                    _seen.Remove(_order.Dequeue());
                }

                Since = Since is { } at && at > e.Timestamp ? at : e.Timestamp;
                return true;
            }
        }
    }
}
