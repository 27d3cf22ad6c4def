namespace Inference.Http;

/// <summary>Endpoint metadata: an inference route, refused while the service drains and waited for before it stops.</summary>
public sealed class DrainsOnShutdown
{
    public static DrainsOnShutdown Instance { get; } = new();

    private DrainsOnShutdown()
    {
    }
}
