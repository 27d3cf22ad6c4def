using System.ClientModel;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Npgsql;
using OpenAI;
using OpenAI.Chat;

namespace InferenceAspire.AppHost.Tests;

/// <summary>
/// The real AppHost, run through the real orchestrator (DCP) as <c>dotnet run</c> runs it: Redis, PostgreSQL and NATS
/// as local executables (no container runtime here), the Embeddings service, two Worker replicas (reached by the Api
/// through their NATS queue group) and the Api as projects.
/// </summary>
public sealed class EndToEndTests
{
    private const string Chat = "wordnet-chat-1m";
    private const string AdminKey = "apphost-e2e-admin-key-0123456789abcdef";
    private const string Embedding = "m2v-bge-base-vocabq-64d";
    private static readonly TimeSpan Startup = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_apphost_brings_the_platform_up_serves_a_streamed_chat_and_an_embedding_and_stops_cleanly()
    {
        var data = Directory.CreateTempSubdirectory("apphost-e2e-");
        try
        {
            using var timeout = new CancellationTokenSource(Startup);
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.InferenceAspire_AppHost>(
                ["--Parameters:servers=local", $"--Parameters:local-data={data.FullName}", $"--Parameters:chat-model={Chat}", $"--Parameters:admin-key={AdminKey}", "--Parameters:worker-replicas=2"], timeout.Token);
            await using var app = await builder.BuildAsync(timeout.Token);
            await app.StartAsync(timeout.Token);

            string[] resources = ["redis", "postgres", "nats-server", "embeddings", "worker", "api"];
            await Task.WhenAll(resources.Select(r => app.ResourceNotifications.WaitForResourceHealthyAsync(r, timeout.Token)));
            var initialised = await app.ResourceNotifications.WaitForResourceAsync(
                "postgres-init", e => e.Snapshot.State?.Text == KnownResourceStates.Finished, timeout.Token);
            Assert.Equal(0, initialised.Snapshot.ExitCode);
            Assert.True(File.Exists(Path.Combine(data.FullName, "postgres", "PG_VERSION")), "initdb made the data directory");

            using var http = app.CreateHttpClient("api", "http");

            // The Api asks for a key: none is a 401; the bootstrap admin key (the AppHost's secret parameter) is taken.
            using (var anonymous = await http.GetAsync("/v1/models", timeout.Token))
            {
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }

            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
            var chat = new OpenAIClient(new ApiKeyCredential(AdminKey), new OpenAIClientOptions { Endpoint = new Uri(http.BaseAddress!, "/v1") }).GetChatClient(Chat);
            var text = new System.Text.StringBuilder();
            var chunks = 0;
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("What does \"dog\" mean?")], new ChatCompletionOptions { Temperature = 0 }, timeout.Token))
            {
                text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
                chunks++;
            }

            Assert.Equal("dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", text.ToString());
            Assert.True(chunks > 5, $"the answer streamed in {chunks} chunks");

            using var embeddings = await http.PostAsJsonAsync("/v1/embeddings", new { model = Embedding, input = "A man is playing a guitar." }, timeout.Token);
            embeddings.EnsureSuccessStatusCode();
            var vector = (await embeddings.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("data")[0].GetProperty("embedding");
            Assert.Equal(64, vector.GetArrayLength());

            // Both Worker replicas serve the chat model on the AppHost's NATS server: each reports its load there.
            var natsUrl = await app.GetConnectionStringAsync("nats", timeout.Token);
            await using (var nats = new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = natsUrl! }))
            {
                var replicas = new HashSet<string>(StringComparer.Ordinal);
                using var listening = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
                listening.CancelAfter(TimeSpan.FromSeconds(25));
                try
                {
                    await foreach (var report in nats.SubscribeAsync<byte[]>($"monitoring.inference.{Chat}", cancellationToken: listening.Token))
                    {
                        replicas.Add(JsonDocument.Parse(report.Data!).RootElement.GetProperty("replica").GetString()!);
                        if (replicas.Count == 2)
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
                {
                }

                Assert.Equal(2, replicas.Count);
            }

            // A new version rolls out across the two replicas, each addressed by its name over NATS: one, then (promoted) both.
            await PostAsync(http, "/models/register", $$"""{"name":"{{Chat}}","version":"2","model_path":"wordnet-chat-1m-gguf/wordnet-chat-1m.F32.gguf","provider":"worker"}""", timeout.Token);
            var deployment = await PostAsync(http, $"/models/{Chat}/deploy", """{"version":"2","strategy":"rolling","step_interval_seconds":600}""", timeout.Token);
            var deploymentId = deployment.GetProperty("id").GetString();
            var half = await Eventually.HoldsAsync(
                () => http.GetFromJsonAsync<JsonElement>($"/deployments/{deploymentId}", timeout.Token),
                d => d.GetProperty("ready_replicas").GetArrayLength() == 1 || d.GetProperty("status").GetString() != "in_progress");
            Assert.True(half.GetProperty("status").GetString() == "in_progress", half.ToString());
            await PostAsync(http, $"/deployments/{deploymentId}/promote", "{}", timeout.Token);
            var rolled = await Eventually.HoldsAsync(
                () => http.GetFromJsonAsync<JsonElement>($"/deployments/{deploymentId}", timeout.Token),
                d => d.GetProperty("status").GetString() != "in_progress");
            Assert.True(rolled.GetProperty("status").GetString() == "completed", rolled.ToString());
            Assert.Equal(2, rolled.GetProperty("ready_replicas").EnumerateArray().Select(r => r.GetString()).Distinct().Count());
            Assert.All(rolled.GetProperty("ready_replicas").EnumerateArray(), r => Assert.StartsWith("nats://", r.GetString(), StringComparison.Ordinal));

            // The deterministic chat answer and the embedding are cached in the AppHost's Redis.
            var redisEndpoint = app.GetEndpoint("redis", "tcp");
            var redis = RedisServer.On(redisEndpoint.Port, password: null);
            Assert.True(await redis.KeyCountAsync() >= 2, "the chat answer and the embedding are cached in Redis");

            // Both calls are in the audit log of the AppHost's PostgreSQL, written by the Api.
            var metadata = await app.GetConnectionStringAsync("metadata", timeout.Token);
            var audited = await Eventually.HoldsAsync(() => AuditRowsAsync(metadata!), rows => rows.Count >= 2);
            Assert.Equal([("worker", "chat"), ("embeddings", "embeddings")], audited.Select(r => (r.Provider, r.Operation)));
            Assert.True(audited[0].OutputTokens > 10);

            await app.StopAsync(timeout.Token);
            var apiEndpoint = http.BaseAddress!;
            var natsServer = new Uri(natsUrl!);
            foreach (var (host, port) in new[] { (apiEndpoint.Host, apiEndpoint.Port), (redisEndpoint.Host, redisEndpoint.Port), (new NpgsqlConnectionStringBuilder(metadata).Host!, new NpgsqlConnectionStringBuilder(metadata).Port), (natsServer.Host, natsServer.Port) })
            {
                Assert.False(await AcceptsAsync(host, port), $"{host}:{port} still accepts connections after the AppHost stopped");
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, string body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<List<(string Provider, string Operation, int? OutputTokens)>> AuditRowsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"Provider\", \"Operation\", \"OutputTokens\" FROM audit_log ORDER BY \"Timestamp\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        List<(string, string, int?)> rows = [];
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt32(2)));
        }

        return rows;
    }

    private static async Task<bool> AcceptsAsync(string host, int port)
    {
        // Stopping is asynchronous in the orchestrator: give the processes a few seconds to be gone.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port);
                await Task.Delay(500);
            }
            catch (SocketException)
            {
                return false;
            }
        }

        return true;
    }
}
