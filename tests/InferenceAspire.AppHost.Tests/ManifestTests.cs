using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InferenceAspire.AppHost.Tests;

/// <summary>The deployment manifest (<c>--publisher manifest</c>), as azd reads it.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task The_manifest_wires_every_resource_and_is_the_same_each_time()
    {
        var first = await PublishAsync();
        var second = await PublishAsync();
        Assert.Equal(first, second);

        var resources = JsonDocument.Parse(first).RootElement.GetProperty("resources");
        // Redis's TLS switch is a conditional value of its own (empty: no TLS), named with a hash.
        var tls = Assert.Single(resources.EnumerateObject(), r => r.Name.StartsWith("cond-cache-bindings-tcp-tlsenabled-", StringComparison.Ordinal));
        Assert.Equal(
            ["admin-key", "api", "cache", "cache-password", "cache-password-uri-encoded", "embeddings", "metadata", "models-dir", "nats", "nats-server", "postgres", "postgres-password", "postgres-password-uri-encoded", "worker"],
            resources.EnumerateObject().Select(r => r.Name).Where(n => n != tls.Name).Order(StringComparer.Ordinal));

        Assert.Equal($"{{cache.bindings.tcp.host}}:{{cache.bindings.tcp.port}},password={{cache-password.value}}{{{tls.Name}.connectionString}}", resources.GetProperty("cache").GetProperty("connectionString").GetString());
        Assert.Equal("inference-cache-data", resources.GetProperty("cache").GetProperty("volumes")[0].GetProperty("name").GetString());
        Assert.Equal("inference-postgres-data", resources.GetProperty("postgres").GetProperty("volumes")[0].GetProperty("name").GetString());
        Assert.Equal("inference-nats-data", resources.GetProperty("nats-server").GetProperty("volumes")[0].GetProperty("name").GetString());
        Assert.Equal("nats://{nats-server.bindings.tcp.host}:{nats-server.bindings.tcp.port}", resources.GetProperty("nats").GetProperty("connectionString").GetString());
        Assert.Equal("{postgres.connectionString};Database=metadata", resources.GetProperty("metadata").GetProperty("connectionString").GetString());
        Assert.Equal("parameter.v0", resources.GetProperty("models-dir").GetProperty("type").GetString());
        Assert.True(resources.GetProperty("cache-password").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());

        var api = resources.GetProperty("api");
        Assert.Equal("project.v0", api.GetProperty("type").GetString());
        Assert.EndsWith("src/Inference.Api/Inference.Api.csproj", api.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.True(api.GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
        var env = api.GetProperty("env");
        Assert.Equal("{cache.connectionString}", env.GetProperty("ConnectionStrings__cache").GetString());
        Assert.Equal("{metadata.connectionString}", env.GetProperty("ConnectionStrings__metadata").GetString());
        Assert.Equal("{worker.bindings.http.url}", env.GetProperty("services__worker__http__0").GetString());
        Assert.Equal("{embeddings.bindings.http.url}", env.GetProperty("services__embeddings__http__0").GetString());
        // Authentication on, with a bootstrap admin key azd generates as a secret.
        Assert.Equal("true", env.GetProperty("Inference__Auth__Enabled").GetString());
        Assert.Equal("{admin-key.value}", env.GetProperty("Inference__Auth__AdminKey").GetString());
        var adminKey = resources.GetProperty("admin-key").GetProperty("inputs").GetProperty("value");
        Assert.True(adminKey.GetProperty("secret").GetBoolean());
        Assert.Equal(32, adminKey.GetProperty("default").GetProperty("generate").GetProperty("minLength").GetInt32());

        foreach (var service in new[] { "worker", "embeddings" })
        {
            Assert.Equal("{models-dir.value}", resources.GetProperty(service).GetProperty("env").GetProperty("INFERENCE_MODELS_DIR").GetString());
            Assert.False(resources.GetProperty(service).GetProperty("bindings").GetProperty("http").TryGetProperty("external", out _));
        }
    }

    [Fact]
    public void Azd_deploys_the_apphost_as_container_apps()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "azure.yaml")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var lines = File.ReadAllLines(Path.Combine(root.FullName, "azure.yaml")).Select(l => l.Trim()).ToList();
        var project = lines.Single(l => l.StartsWith("project:", StringComparison.Ordinal))["project:".Length..].Trim();
        Assert.Equal("InferenceAspire.AppHost.csproj", Path.GetFileName(project));
        Assert.True(File.Exists(Path.Combine(root.FullName, project)), $"{project} exists");
        Assert.Contains("host: containerapp", lines);
        Assert.Contains("language: dotnet", lines);
    }

    /// <summary>Publishes in process, as <c>dotnet run --project src/InferenceAspire.AppHost -- --publisher manifest</c> does.</summary>
    private static async Task<string> PublishAsync()
    {
        var directory = Directory.CreateTempSubdirectory("manifest-");
        try
        {
            var path = Path.Combine(directory.FullName, "manifest.json");
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.InferenceAspire_AppHost>(
                ["--operation", "publish", "--publisher", "manifest", "--output-path", path]);
            await using var app = await builder.BuildAsync();
            var stopping = new TaskCompletionSource();
            using var registration = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
            await app.StartAsync();
            await stopping.Task.WaitAsync(TimeSpan.FromMinutes(1));
            var text = await File.ReadAllTextAsync(path);

            // Project paths are relative to where the manifest is written; the temporary folder's name is the only part that varies.
            return text.Replace(directory.Name, "manifest", StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
