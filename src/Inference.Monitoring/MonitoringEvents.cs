using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Inference.Monitoring;

/// <summary>
/// The live event stream's hub: every subscriber (an open <c>/api/events</c>) gets its own bounded channel, so a slow
/// reader loses its oldest events instead of slowing the calls that publish them.
/// </summary>
public sealed class MonitoringEvents
{
    private const int SubscriberCapacity = 512;
    private readonly ConcurrentDictionary<Channel<MonitoringEvent>, byte> _subscribers = new();

    public int Subscribers => _subscribers.Count;

    public void Publish(MonitoringEvent monitoringEvent)
    {
        foreach (var subscriber in _subscribers.Keys)
        {
            subscriber.Writer.TryWrite(monitoringEvent);
        }
    }

    /// <summary>The events from now on, until <paramref name="cancellationToken"/> ends the subscription.</summary>
    public async IAsyncEnumerable<MonitoringEvent> SubscribeAsync(
        MonitoringEvent? first, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<MonitoringEvent>(new BoundedChannelOptions(SubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _subscribers.TryAdd(channel, 0);
        try
        {
            if (first is not null)
            {
                yield return first;
            }

            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var next))
                {
                    yield return next;
                }
            }
        }
        finally
        {
            _subscribers.TryRemove(channel, out _);
        }
    }
}
