using System.Diagnostics;
using Npgsql;

namespace InferenceAspire.TestSupport;

/// <summary>
/// A real PostgreSQL on a free loopback port, its cluster made by initdb in a temporary directory (as the postgres
/// user when the tests run as root, since PostgreSQL refuses root); can be stopped and started again.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("postgres-").FullName;

    public int Port { get; private init; } = ServiceProcess.FreePort();

    /// <summary>A server on a given port, as an app model allocates it.</summary>
    public static PostgresServer On(int port) => new() { Port = port };

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>The database the services use; it does not exist until their migrations create it.</summary>
    public string ConnectionString(string database = "metadata") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Include Error Detail=true";

    public async Task InitializeAsync()
    {
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _directory]);
        }

        await RunPostgresToolAsync("initdb", ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        await StartAsync();
    }

    public Task StartAsync() => RunPostgresToolAsync("pg_ctl", [
        "-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
        "start"]);

    public Task StopAsync() => RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

    public async Task<T> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        return read(reader);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        NpgsqlConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static string BinDirectory { get; } = Environment.GetEnvironmentVariable("POSTGRES_BIN")
        ?? (Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null)
        ?? throw new InvalidOperationException("PostgreSQL is not installed: no /usr/lib/postgresql/<version>/bin/initdb (set POSTGRES_BIN).");

    private static Task RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(BinDirectory, tool);
        return Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments])
            : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
