using System.Net.Http.Json;
using System.Text.Json;
using Inference.Storage.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Inference.Api.FunctionalTests.Seeds;

/// <summary>
/// The Api as a new user runs it, the embedded default (every model of the models directory and the task models, the
/// response cache in memory), with a metadata database of its own: what the seeds' documented requests are sent to.
/// </summary>
public sealed class SeedApiFixture : WebApplicationFactory<Program>
{
    public const string Chat = InferenceApiFixture.Chat;
    public const string Gguf = "wordnet-chat-1m-gguf";
    public const string Embedding = InferenceApiFixture.Embedding;
    public const string Classifier = "wordnet-domain-m2v";

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("inference-seeds-");

    public string SqlitePath => Path.Combine(_data.FullName, "metadata.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
        builder.UseSetting("Inference:Metadata:SqlitePath", SqlitePath);
        builder.UseSetting("Inference:Metadata:Audit:SpillDirectory", Path.Combine(_data.FullName, "spill"));
        builder.UseSetting("Inference:Routing:RefreshInterval", "00:00:00.200");
    }

    /// <summary>A client once the service is ready (its models loaded, its registry read).</summary>
    public async Task<HttpClient> ReadyClientAsync()
    {
        var http = CreateClient();
        await Eventually.HoldsAsync(() => http.GetAsync("/ready"), r => r.IsSuccessStatusCode);
        return http;
    }

    /// <summary>Sends <paramref name="body"/> as it is; the answer must have <paramref name="expected"/> status.</summary>
    public static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null, int expected = 200)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : OpenAIClientTests.Json(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 || response.Content.Headers.ContentType?.MediaType?.Contains("json") != true
            ? default
            : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<JsonElement> PostAsync(HttpClient http, string path, string body, int expected = 200) => SendAsync(http, HttpMethod.Post, path, body, expected);

    public static Task<JsonElement> GetAsync(HttpClient http, string path, int expected = 200) => SendAsync(http, HttpMethod.Get, path, null, expected);

    /// <summary>The audit log as the database holds it.</summary>
    public async Task<List<AuditRecord>> AuditAsync()
    {
        await using var db = new SqliteMetadataDbContext(new DbContextOptionsBuilder<SqliteMetadataDbContext>().UseSqlite($"Data Source={SqlitePath}").Options);
        return await db.AuditRecords.AsNoTracking().ToListAsync();
    }

    /// <summary>Asserts that every field named is in <paramref name="element"/>.</summary>
    public static void HasFields(JsonElement element, params string[] fields)
    {
        foreach (var field in fields)
        {
            Assert.True(element.TryGetProperty(field, out _), $"'{field}' is missing from {element}");
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                _data.Delete(recursive: true);
            }
            catch (IOException)
            {
                // SQLite may hold the file a moment longer; the temp folder is cleaned later.
            }
        }
    }
}
