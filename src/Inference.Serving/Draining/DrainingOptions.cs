namespace Inference.Serving.Draining;

/// <summary>How a service stops: new inference requests are refused while those accepted finish.</summary>
public sealed class DrainingOptions
{
    public const string SectionName = "Inference:Draining";

    /// <summary>How long shutdown waits for accepted inference requests (running or queued) before the server stops.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What a refused caller is told to wait before trying again (<c>Retry-After</c>), meant for another replica.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
