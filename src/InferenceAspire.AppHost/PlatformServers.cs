using Microsoft.Extensions.DependencyInjection;

namespace InferenceAspire.AppHost;

/// <summary>The Redis (<c>cache</c>) and PostgreSQL (<c>metadata</c>) the Api uses, and the resources to wait for.</summary>
internal sealed record PlatformServers(
    IResourceBuilder<IResourceWithConnectionString> Cache,
    IResourceBuilder<IResourceWithConnectionString> Metadata,
    IReadOnlyList<IResourceBuilder<IResource>> Servers)
{
    public const string PostgresUser = "postgres";
}

internal static class PlatformServersExtensions
{
    /// <summary>
    /// Containers with named volumes (as published), local executables with their data under <c>local-data</c>, or
    /// servers that already run, by <see cref="PlatformSettings.Servers"/>.
    /// </summary>
    public static PlatformServers AddPlatformServers(this IDistributedApplicationBuilder builder, PlatformSettings settings) => settings.Servers switch
    {
        ServerMode.Local => builder.AddLocalServers(settings.Binaries!, settings.LocalData),
        ServerMode.Existing => new PlatformServers(builder.AddConnectionString("cache"), builder.AddConnectionString("metadata"), []),
        _ => builder.AddContainerServers(),
    };

    private static PlatformServers AddContainerServers(this IDistributedApplicationBuilder builder)
    {
        // Volumes are named, not derived from the AppHost's path, so the published manifest is the same on every machine.
        var cache = builder.AddRedis("cache")
            .WithDataVolume("inference-cache-data")
            .WithPersistence();
        var postgres = builder.AddPostgres("postgres")
            .WithDataVolume("inference-postgres-data");
        var metadata = postgres.AddDatabase("metadata");
        return new PlatformServers(cache, metadata, [cache, metadata]);
    }

    /// <summary>
    /// redis-server with append-only persistence, and a PostgreSQL cluster initialised once with initdb then run with
    /// postgres (as the postgres user when the AppHost runs as root, which PostgreSQL refuses), both on loopback.
    /// </summary>
    private static PlatformServers AddLocalServers(this IDistributedApplicationBuilder builder, LocalServerBinaries binaries, string localData)
    {
        var redisData = Path.Combine(localData, "redis");
        var postgresData = Path.Combine(localData, "postgres");
        Directory.CreateDirectory(redisData);
        Directory.CreateDirectory(localData);
        if (Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows())
        {
            // The postgres user must reach its data directory through this one.
            File.SetUnixFileMode(localData, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var redis = builder.AddExecutable("redis", binaries.RedisServer, redisData,
                "--bind", "127.0.0.1", "--protected-mode", "no", "--dir", redisData, "--appendonly", "yes", "--save", "")
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "REDIS_PORT", isProxied: false);
        var redisEndpoint = redis.GetEndpoint("tcp");
        redis.WithArgs(context =>
        {
            context.Args.Add("--port");
            context.Args.Add(redisEndpoint.Property(EndpointProperty.Port)); // not proxied: the port it is reached on
        });
        builder.Services.AddHealthChecks().Add(new("redis_ping", _ => new LocalRedisHealthCheck(redisEndpoint), null, null));
        redis.WithHealthCheck("redis_ping");
        var cache = builder.AddConnectionString("cache", ReferenceExpression.Create($"{redisEndpoint.Property(EndpointProperty.Host)}:{redisEndpoint.Property(EndpointProperty.Port)}"));

        var asPostgres = Environment.IsPrivilegedProcess ? $"setpriv --reuid={PlatformServers.PostgresUser} --regid={PlatformServers.PostgresUser} --init-groups -- " : "";
        var initialise = builder.AddExecutable("postgres-init", "sh", localData, "-c",
            $"set -e; if [ ! -f '{postgresData}/PG_VERSION' ]; then mkdir -p '{postgresData}'; " +
            (Environment.IsPrivilegedProcess ? $"chown {PlatformServers.PostgresUser} '{postgresData}'; " : "") +
            $"{asPostgres}'{binaries.InitDb}' -D '{postgresData}' -U postgres --auth=trust --encoding=UTF8; else echo 'PostgreSQL data directory {postgresData} is initialised.'; fi");
        var postgres = builder.AddExecutable("postgres", Environment.IsPrivilegedProcess ? "setpriv" : binaries.Postgres, localData,
                [.. (Environment.IsPrivilegedProcess ? new[] { $"--reuid={PlatformServers.PostgresUser}", $"--regid={PlatformServers.PostgresUser}", "--init-groups", "--", binaries.Postgres } : []),
                 "-D", postgresData, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="])
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "PGPORT", isProxied: false)
            .WaitForCompletion(initialise);
        var postgresEndpoint = postgres.GetEndpoint("tcp");
        builder.Services.AddHealthChecks().Add(new("postgres_ready", _ => new LocalPostgresHealthCheck(postgresEndpoint), null, null));
        postgres.WithHealthCheck("postgres_ready");
        var metadata = builder.AddConnectionString("metadata", ReferenceExpression.Create(
            $"Host={postgresEndpoint.Property(EndpointProperty.Host)};Port={postgresEndpoint.Property(EndpointProperty.Port)};Username={PlatformServers.PostgresUser};Database=metadata"));
        return new PlatformServers(cache, metadata, [redis, postgres]);
    }
}
