using System.Threading.Channels;

namespace Inference.Lifecycle;

/// <summary>Rolling deployments started on this service, for <see cref="RollingDeployments"/> to drive at once.</summary>
internal sealed class RollingQueue
{
    private readonly Channel<string> _started = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<string> Started => _started.Reader;

    public void Start(string deployment) => _started.Writer.TryWrite(deployment);
}
