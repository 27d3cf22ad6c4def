using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace InferenceAspire.TestSupport;

/// <summary>
/// One of our services (Inference.Api, Inference.Worker, Inference.Embeddings) as its own process on a free loopback
/// port, configured only by environment variables, as an orchestrator would start it.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(string project, Uri baseAddress, IReadOnlyDictionary<string, string> environment)
    {
        BaseAddress = baseAddress;
        var start = new ProcessStartInfo("dotnet", [BuiltDll(project), "--urls", baseAddress.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    private int _disposed;

    /// <summary>Starts the service and waits until its /ready answers 200.</summary>
    /// <param name="readyPoll">How often /ready is asked (200 ms unless said); a probe that asks without pause catches what a service does just after.</param>
    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string> environment, int? port = null, TimeSpan? readyPoll = null)
    {
        var service = new ServiceProcess(project, new Uri($"http://127.0.0.1:{port ?? FreePort()}"), environment);
        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline && !service._process.HasExited)
        {
            try
            {
                if ((await http.GetAsync("/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return service;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(readyPoll ?? TimeSpan.FromMilliseconds(200));
        }

        var output = service.Output;
        await service.DisposeAsync();
        throw new InvalidOperationException($"{project} did not become ready. Its output:{Environment.NewLine}{output}");
    }

    /// <summary>Runs a service that is expected to stop by itself (a start-up error) and returns its exit code and stderr.</summary>
    public static Task<(int ExitCode, string Stderr)> RunToExitAsync(string project, IReadOnlyDictionary<string, string> environment) =>
        RunDllToExitAsync(BuiltDll(project), environment, Path.GetTempPath());

    /// <summary>The same for a given build of a service (a copy elsewhere, say), run from <paramref name="workingDirectory"/>.</summary>
    public static async Task<(int ExitCode, string Stderr)> RunDllToExitAsync(string dll, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.Environment["Logging__LogLevel__Default"] = "None";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileNameWithoutExtension(dll)} neither failed nor exited within two minutes.");
        }

        return (process.ExitCode, await stderr);
    }

    /// <summary>Asks the service to stop as an orchestrator does (SIGTERM), without waiting.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
    }

    /// <summary>Waits for the service to exit on its own and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
        return _process.ExitCode;
    }

    /// <summary>What the service wrote to stdout and stderr so far.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Kills the service (its whole process tree); a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
            while (_output.Count > 200 && _output.TryDequeue(out _))
            {
            }
        }
    }

    /// <summary>The service built beside this test project, in the same configuration.</summary>
    public static string BuiltDll(string project)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", project, "bin", configuration, framework, project + ".dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{project}.dll was not found beside the test build.");
    }
}
