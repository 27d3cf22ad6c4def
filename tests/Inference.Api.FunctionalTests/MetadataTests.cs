using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Inference.Storage.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Inference.Api.FunctionalTests;

/// <summary>The registry and the audit log: embedded in SQLite, and on a PostgreSQL that is down.</summary>
public sealed class MetadataTests(PostgresServer postgres, WorkerProcess worker) : IClassFixture<PostgresServer>, IClassFixture<WorkerProcess>, IDisposable
{
    private const string Chat = InferenceApiFixture.Chat;
    private readonly string _directory = Directory.CreateTempSubdirectory("metadata-tests-").FullName;

    private string SqlitePath => Path.Combine(_directory, "metadata.db");

    private string SpillDirectory => Path.Combine(_directory, "spill");

    [Fact]
    public async Task The_embedded_default_keeps_the_registry_and_the_audit_log_in_sqlite()
    {
        await using (var api = Api(b => b.UseSetting("Inference:Metadata:SqlitePath", SqlitePath)))
        {
            using var http = api.CreateClient();
            var models = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>("/api/models"), m => m.GetArrayLength() == 1);
            var model = models[0];
            Assert.Equal((Chat, "local", "chat", "1"), (model.GetProperty("id").GetString(), model.GetProperty("provider").GetString(),
                model.GetProperty("kind").GetString(), model.GetProperty("defaultVersion").GetString()));
            Assert.Equal(984_192, model.GetProperty("parameters").GetProperty("parameter_count").GetInt64());
            Assert.Equal("F32", model.GetProperty("parameters").GetProperty("quantization").GetString());

            var id = "sqlite-" + Guid.NewGuid().ToString("N");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = OpenAIClientTests.Json($$"""{"model":"{{Chat}}","messages":[{"role":"user","content":"What does \"dog\" mean?"}],"max_tokens":5}"""),
            };
            request.Headers.Add("x-request-id", id);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            var row = await Eventually.HoldsAsync(() => Task.FromResult(SqliteAudit(id)), r => r is not null);
            Assert.Equal((Chat, "1", "local", 5L, "ok"), (row!.Value.Model, row.Value.Version, row.Value.Provider, row.Value.OutputTokens, row.Value.Status));

            // The bulk writer stores ids and times exactly as EF Core's mapping does: EF finds the row by id and reads its time.
            await using var db = new SqliteMetadataDbContext(new DbContextOptionsBuilder<SqliteMetadataDbContext>().UseSqlite($"Data Source={SqlitePath}").Options);
            var record = await db.AuditRecords.SingleAsync(r => r.RequestId == id);
            Assert.Equal(record.RequestId, (await db.AuditRecords.SingleAsync(r => new[] { record.Id }.Contains(r.Id))).RequestId);
            Assert.InRange(record.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow);
        }

        // Serving the model differently (another chat template) records a new default version; the old one is kept.
        await using (var changed = Api(b =>
        {
            b.UseSetting("Inference:Metadata:SqlitePath", SqlitePath);
            b.UseSetting($"Inference:Models:{Chat}:ChatTemplate", "llama3");
            b.UseSetting($"Inference:Models:{Chat}:Fallbacks:0", "tiny-random-gpt2");
        }))
        {
            using var http = changed.CreateClient();
            var model = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/models/{Chat}"), m => m.GetProperty("defaultVersion").GetString() == "2");
            Assert.Equal(["tiny-random-gpt2"], model.GetProperty("fallbacks").EnumerateArray().Select(f => f.GetString()));
            Assert.Equal("llama3", model.GetProperty("parameters").GetProperty("chat_template").GetString());
            var versions = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/models/{Chat}/versions"), v => v.GetArrayLength() == 2);
            Assert.Equal(["1", "2"], versions.EnumerateArray().Select(v => v.GetProperty("version").GetString()));
            Assert.Equal([false, true], versions.EnumerateArray().Select(v => v.GetProperty("isDefault").GetBoolean()));
            Assert.Equal("llama3", versions[1].GetProperty("configuration").GetProperty("ChatTemplate").GetString());
        }
    }

    [Fact]
    public async Task Audit_records_survive_a_database_that_is_down_through_a_restart_of_the_api()
    {
        await postgres.StopAsync();
        List<string> ids = [];
        try
        {
            // Two rows fit in memory; the rest spill to disk at once, and the two follow them when the Api stops.
            await using var api = Api(b =>
            {
                b.UseSetting("ConnectionStrings:metadata", postgres.ConnectionString());
                b.UseSetting("Inference:Metadata:Audit:Capacity", "2");
                b.UseSetting("Inference:Metadata:Audit:SpillDirectory", SpillDirectory);
            });
            using var http = api.CreateClient();
            for (var i = 0; i < 5; i++)
            {
                var id = $"down-{i}-{Guid.NewGuid():N}";
                ids.Add(id);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
                {
                    Content = OpenAIClientTests.Json($$"""{"model":"{{Chat}}","messages":[{"role":"user","content":"What does \"cat\" mean?"}],"max_tokens":3}"""),
                };
                request.Headers.Add("x-request-id", id);
                using var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            Assert.Equal(3, SpilledLines());
            Assert.Equal("Degraded", await http.GetStringAsync("/health"));
        }
        finally
        {
            await postgres.StartAsync();
        }

        Assert.Equal(5, SpilledLines());
        // The first run's operational events (its start, its models, the outage) waited on disk too.
        Assert.True(SpilledLines("events") >= 4, $"{SpilledLines("events")} events spilled");

        await using (var restarted = Api(b =>
        {
            b.UseSetting("ConnectionStrings:metadata", postgres.ConnectionString());
            b.UseSetting("Inference:Metadata:Audit:SpillDirectory", SpillDirectory);
        }))
        {
            _ = restarted.Server; // start it
            var count = await Eventually.HoldsAsync(
                () => postgres.QueryAsync(
                    $"SELECT COUNT(*) FROM audit_log WHERE \"RequestId\" IN ({string.Join(',', ids.Select(i => $"'{i}'"))})",
                    r => r.Read() ? r.GetInt64(0) : 0),
                c => c == ids.Count);
            Assert.Equal(5, count);

            await using var db = new PostgresMetadataDbContext(new DbContextOptionsBuilder<PostgresMetadataDbContext>().UseNpgsql(postgres.ConnectionString()).Options);
            var records = await db.AuditRecords.Where(r => ids.Contains(r.RequestId)).ToListAsync();
            var recordIds = records.Select(r => r.Id).ToList();
            Assert.Equal(5, await db.AuditRecords.CountAsync(r => recordIds.Contains(r.Id)));
            Assert.All(records, r => Assert.InRange(r.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow));
            Assert.All(records, r => Assert.Equal((Chat, "local", 3), (r.Model, r.Provider, r.OutputTokens)));
            await Eventually.HoldsAsync(() => Task.FromResult(SpilledLines()), lines => lines == 0);

            // Both runs' starts are in the database: the events of the run that never reached it were written after.
            var starts = await Eventually.HoldsAsync(
                () => postgres.QueryAsync("SELECT COUNT(*) FROM operational_events WHERE \"Code\" = 'startup'", r => r.Read() ? r.GetInt64(0) : 0),
                c => c >= 2);
            Assert.True(starts >= 2);
            Assert.Equal(1, await postgres.QueryAsync("SELECT COUNT(*) FROM operational_events WHERE \"Code\" = 'metadata.unavailable'", r => r.Read() ? r.GetInt64(0) : 0));
            await Eventually.HoldsAsync(() => Task.FromResult(SpilledLines("events")), lines => lines == 0);
        }
    }

    [Fact]
    public async Task A_model_routed_in_the_database_is_served_through_its_provider()
    {
        await using (var first = Api(b => b.UseSetting("Inference:Metadata:SqlitePath", SqlitePath)))
        {
            using var http = first.CreateClient();
            await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>("/api/models"), m => m.GetArrayLength() == 1);
        }

        // A row that routes "dictionary" to the Worker, its endpoint read from ConnectionStrings (keys stay in configuration).
        using (var connection = new SqliteConnection($"Data Source={SqlitePath}"))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO models (Id, Kind, Provider, ConnectionName, Fallbacks, Created, Updated) VALUES ('dictionary', 'chat', 'worker', 'dictionary-worker', '[]', 0, 0)";
            insert.ExecuteNonQuery();
        }

        await using var api = Api(b =>
        {
            b.UseSetting("Inference:Metadata:SqlitePath", SqlitePath);
            b.UseSetting("ConnectionStrings:dictionary-worker", $"Endpoint={worker.BaseAddress};Model={Chat}");
        });
        using var client = api.CreateClient();
        await Eventually.HoldsAsync(
            () => client.GetFromJsonAsync<JsonElement>("/v1/models"),
            m => m.GetProperty("data").EnumerateArray().Any(x => x.GetProperty("id").GetString() == "dictionary"));

        var id = "routed-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = OpenAIClientTests.Json("""{"model":"dictionary","messages":[{"role":"user","content":"What does \"dog\" mean?"}]}"""),
        };
        request.Headers.Add("x-request-id", id);
        using var response = await client.SendAsync(request);
        var text = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        Assert.Equal("dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", text);

        var row = await Eventually.HoldsAsync(() => Task.FromResult(SqliteAudit(id)), r => r is not null);
        Assert.Equal(("dictionary", "worker", "ok"), (row!.Value.Model, row.Value.Provider, row.Value.Status));
        var registered = await client.GetFromJsonAsync<JsonElement>("/api/models/dictionary");
        Assert.Equal("worker", registered.GetProperty("provider").GetString());
        Assert.Equal("1", registered.GetProperty("defaultVersion").GetString());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static WebApplicationFactory<Program> Api(Action<IWebHostBuilder> configure) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            b.UseSetting($"Inference:Models:{Chat}:Path", Chat);
            configure(b);
        });

    /// <summary>Audit rows (or, with <paramref name="prefix"/> "events", operational events) waiting in the spill directory.</summary>
    private int SpilledLines(string prefix = "audit") => Directory.Exists(SpillDirectory)
        ? Directory.EnumerateFiles(SpillDirectory, $"{prefix}-*.jsonl").Sum(f => File.ReadLines(f).Count(l => l.Length > 0))
        : 0;

    private (string Model, string? Version, string Provider, long? OutputTokens, string Status)? SqliteAudit(string requestId)
    {
        using var connection = new SqliteConnection($"Data Source={SqlitePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Model, Version, Provider, OutputTokens, Status FROM audit_log WHERE RequestId = $id";
        command.Parameters.AddWithValue("$id", requestId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.GetString(4))
            : null;
    }
}
