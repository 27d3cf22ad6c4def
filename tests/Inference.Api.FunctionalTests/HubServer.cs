using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// A Hugging Face-style hub on a loopback port serving ../shared/models as repositories <c>shared/{folder}</c>: the
/// tree API (path, size, LFS SHA-256 for weights, git blob ids for small files) and <c>resolve</c> with HTTP ranges.
/// Faults to inject: a transfer that breaks after some bytes (once), a file whose bytes differ from its listed digest.
/// </summary>
public sealed class HubServer : IAsyncDisposable
{
    public const string Organization = "shared";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, long> _breakOnce = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _corrupt = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Path, string? Range)> _requests = new();

    private HubServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every file request: its path and Range header.</summary>
    public IReadOnlyCollection<(string Path, string? Range)> Requests => _requests;

    public static async Task<HubServer> StartAsync(string root)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = ServiceProcess.FreePort();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new HubServer(app) { Endpoint = new Uri($"http://127.0.0.1:{port}/") };
        app.MapGet("/api/models/{org}/{repo}/tree/{revision}", (string org, string repo) =>
        {
            var folder = Path.Combine(root, repo);
            if (org != Organization || !Directory.Exists(folder))
            {
                return Results.NotFound(new { error = "Repository not found" });
            }

            return Results.Json(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(file =>
            {
                var path = Path.GetRelativePath(folder, file).Replace('\\', '/');
                var bytes = File.ReadAllBytes(file);
                return bytes.Length >= 100_000
                    ? (object)new { type = "file", path, size = bytes.Length, oid = "0", lfs = new { oid = Convert.ToHexStringLower(SHA256.HashData(bytes)), size = bytes.Length } }
                    : new { type = "file", path, size = bytes.Length, oid = Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes])) };
            }).Prepend(new { type = "directory", path = "onnx", size = 0, oid = "0" }));
        });
        app.MapGet("/{org}/{repo}/resolve/{revision}/{**path}", async (string org, string repo, string path, HttpContext http) =>
        {
            var file = Path.Combine(root, repo, path);
            var range = http.Request.Headers.Range.ToString();
            server._requests.Enqueue((path, range.Length == 0 ? null : range));
            if (org != Organization || !File.Exists(file))
            {
                return Results.NotFound();
            }

            if (server._breakOnce.TryRemove(path, out var after) && range.Length == 0)
            {
                // Announce the whole file, send part of it, and drop the connection.
                var bytes = await File.ReadAllBytesAsync(file);
                http.Response.ContentLength = bytes.Length;
                await http.Response.Body.WriteAsync(bytes.AsMemory(0, (int)after));
                await http.Response.Body.FlushAsync();

                // A reset discards what the client has not read yet; give it a moment to read what was sent.
                await Task.Delay(TimeSpan.FromMilliseconds(500));
                http.Abort();
                return Results.Empty;
            }

            if (server._corrupt.ContainsKey(path))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                bytes[bytes.Length / 2] ^= 0xFF;
                return Results.Bytes(bytes, "application/octet-stream", enableRangeProcessing: true);
            }

            return Results.File(file, "application/octet-stream", enableRangeProcessing: true);
        });
        await app.StartAsync();
        return server;
    }

    /// <summary>The next full request for <paramref name="path"/> breaks after <paramref name="bytes"/> bytes.</summary>
    public void BreakOnce(string path, long bytes) => _breakOnce[path] = bytes;

    /// <summary>Serves <paramref name="path"/> with one byte flipped (its listing keeps the true digest).</summary>
    public void Corrupt(string path) => _corrupt[path] = 0;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
