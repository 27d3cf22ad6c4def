namespace Inference.Access;

/// <summary>Who may call the platform (<c>Inference:Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Inference:Auth";

    /// <summary>When true every route but /health, /alive and /ready needs an API key.</summary>
    public bool Enabled { get; set; }

    /// <summary>A bootstrap key with every scope (a secret parameter under the AppHost), to create the others.</summary>
    public string? AdminKey { get; set; }

    /// <summary>How long a key looked up is trusted before the database is asked again (revocation on another replica takes this long).</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}
