namespace InferenceAspire.AppHost;

/// <summary>Where Redis and PostgreSQL come from (the <c>servers</c> parameter).</summary>
internal enum ServerMode
{
    /// <summary>Redis and PostgreSQL containers with data volumes (needs a container runtime).</summary>
    Containers,

    /// <summary>redis-server and postgres run as local executables, with data in a folder kept between runs.</summary>
    Local,

    /// <summary>Servers that already run: ConnectionStrings:cache and ConnectionStrings:metadata.</summary>
    Existing,
}
