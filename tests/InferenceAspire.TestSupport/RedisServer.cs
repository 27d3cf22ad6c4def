using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace InferenceAspire.TestSupport;

/// <summary>
/// A real redis-server on a loopback port in a temporary directory, with a password when given one (as Aspire's Redis
/// has); can be stopped and started again.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("redis-").FullName;
    private Process? _process;

    /// <summary>A server on a free port without a password (xUnit fixtures need one public constructor).</summary>
    public RedisServer()
    {
    }

    public int Port { get; private init; } = ServiceProcess.FreePort();

    public string? Password { get; private init; }

    /// <summary>A server on a given port with a given password, as an app model allocates them.</summary>
    public static RedisServer On(int port, string? password) => new() { Port = port, Password = password };

    public string ConnectionString => Password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={Password}";

    public async Task InitializeAsync() => await StartAsync();

    public async Task StartAsync()
    {
        string[] arguments = ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory];
        _process = Process.Start(new ProcessStartInfo("redis-server", Password is null ? arguments : [.. arguments, "--requirepass", Password])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("redis-server did not start (is it installed?).");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await CommandAsync("PING") == "+PONG")
                {
                    return;
                }
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException("redis-server did not answer PING.");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async Task<long> KeyCountAsync() => long.Parse((await CommandAsync("DBSIZE")).TrimStart(':'), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One inline command over RESP; returns a simple reply's line, or a bulk string's value.</summary>
    public async Task<string> CommandAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        if (Password is not null)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {Password}\r\n"));
            await reader.ReadLineAsync();
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        var line = await reader.ReadLineAsync() ?? "";
        return line.StartsWith('$') && line != "$-1" ? await reader.ReadLineAsync() ?? "" : line;
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
