using Microsoft.Extensions.DependencyInjection;

namespace InferenceAspire.AppHost;

/// <summary>
/// The Redis (<c>cache</c>) and PostgreSQL (<c>metadata</c>) the Api uses, the NATS server (<c>nats</c>, JetStream on) the
/// services answer and reach each other on, and the resources to wait for.
/// </summary>
internal sealed record PlatformServers(
    IResourceBuilder<IResourceWithConnectionString> Cache,
    IResourceBuilder<IResourceWithConnectionString> Metadata,
    IResourceBuilder<IResourceWithConnectionString> Nats,
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
        ServerMode.Existing => new PlatformServers(builder.AddConnectionString("cache"), builder.AddConnectionString("metadata"), builder.AddConnectionString("nats"), []),
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
        var natsServer = builder.AddContainer("nats-server", "nats", "2.10")
            .WithArgs("-js", "-sd", "/data")
            .WithVolume("inference-nats-data", "/data")
            .WithEndpoint(targetPort: 4222, name: "tcp", scheme: "tcp");
        var nats = builder.AddNats(natsServer, natsServer.GetEndpoint("tcp"));
        return new PlatformServers(cache, metadata, nats, [cache, metadata, natsServer]);
    }

    /// <summary>The <c>nats</c> connection string (<c>nats://host:port</c>, as Aspire writes it) of a server, once it answers PING.</summary>
    private static IResourceBuilder<IResourceWithConnectionString> AddNats<T>(this IDistributedApplicationBuilder builder, IResourceBuilder<T> server, EndpointReference endpoint)
        where T : IResourceWithEndpoints
    {
        builder.Services.AddHealthChecks().Add(new("nats_ping", _ => PingHealthCheck.Nats(endpoint), null, null));
        server.WithHealthCheck("nats_ping");
        return builder.AddConnectionString("nats", ReferenceExpression.Create($"nats://{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)}"));
    }

    /// <summary>
    /// redis-server with append-only persistence, a PostgreSQL cluster initialised once with initdb then run with
    /// postgres (as the postgres user when the AppHost runs as root, which PostgreSQL refuses), and nats-server with
    /// JetStream, its store under <c>local-data/nats</c>, all on loopback.
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
        builder.Services.AddHealthChecks().Add(new("redis_ping", _ => PingHealthCheck.Redis(redisEndpoint), null, null));
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
        var natsData = Path.Combine(localData, "nats");
        Directory.CreateDirectory(natsData);
        var natsServer = builder.AddExecutable("nats-server", binaries.NatsServer, natsData, "-a", "127.0.0.1", "-js", "-sd", natsData)
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "NATS_PORT", isProxied: false);
        var natsEndpoint = natsServer.GetEndpoint("tcp");
        natsServer.WithArgs(context =>
        {
            context.Args.Add("-p");
            context.Args.Add(natsEndpoint.Property(EndpointProperty.Port));
        });
        var nats = builder.AddNats(natsServer, natsEndpoint);
        return new PlatformServers(cache, metadata, nats, [redis, postgres, natsServer]);
    }
}
