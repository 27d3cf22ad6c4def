namespace InferenceAspire.AppHost;

/// <summary>redis-server, postgres and initdb, nats-server on this machine: on PATH, or where Debian installs PostgreSQL.</summary>
internal sealed record LocalServerBinaries(string RedisServer, string Postgres, string InitDb, string NatsServer)
{
    /// <summary>The programs, or null with what is missing.</summary>
    public static LocalServerBinaries? Find(out string missing)
    {
        var redis = OnPath("redis-server");
        var nats = OnPath("nats-server") ?? (File.Exists("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : null);
        var postgresBin = OnPath("postgres") is { } p ? Path.GetDirectoryName(p)
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.EnumerateDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                    .Where(d => File.Exists(Path.Combine(d, "postgres"))).OrderByDescending(VersionOf).FirstOrDefault()
                : null;
        List<string> absent = [];
        if (redis is null)
        {
            absent.Add("redis-server");
        }

        if (postgresBin is null || !File.Exists(Path.Combine(postgresBin, "initdb")))
        {
            absent.Add("postgres and initdb");
        }

        if (nats is null)
        {
            absent.Add("nats-server");
        }

        missing = string.Join(" and ", absent);
        return absent.Count == 0 ? new LocalServerBinaries(redis!, Path.Combine(postgresBin!, "postgres"), Path.Combine(postgresBin!, "initdb"), nats!) : null;
    }

    private static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    private static int VersionOf(string bin) =>
        int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0;
}
