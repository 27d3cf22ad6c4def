using System.Diagnostics;
using System.Net;
using System.Net.Http;

namespace InferenceAspire.TestSupport;

/// <summary>
/// A real nats-server with JetStream on a loopback port, its store in a temporary directory; ready once its
/// monitoring endpoint answers /healthz. Can be stopped and started again.
/// </summary>
public sealed class NatsServer : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nats-").FullName;
    private readonly int _monitorPort = ServiceProcess.FreePort();
    private Process? _process;

    public int Port { get; } = ServiceProcess.FreePort();

    /// <summary>As Aspire gives it: <c>nats://host:port</c>.</summary>
    public string ConnectionString => $"nats://127.0.0.1:{Port}";

    public async Task InitializeAsync() => await StartAsync();

    public async Task StartAsync()
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        _process = Process.Start(new ProcessStartInfo("nats-server", ["-a", "127.0.0.1", "-p", Port.ToString(culture), "-m", _monitorPort.ToString(culture), "-js", "-sd", _directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("nats-server did not start (is it installed? apt-get install -y nats-server).");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{_monitorPort}/healthz"))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("nats-server did not become healthy.");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
