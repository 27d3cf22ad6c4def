namespace Inference.Serving.Caching;

/// <summary>Caching of deterministic chat responses (<c>Inference:Cache</c>); Redis when <c>ConnectionStrings:cache</c> is set.</summary>
public sealed class ResponseCacheOptions
{
    public const string SectionName = "Inference:Cache";

    public const string ConnectionName = "cache";

    public bool Enabled { get; set; } = true;

    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>After a cache failure, how long requests skip the cache before trying it again.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}
