using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace InferenceAspire.AppHost.Tests;

/// <summary>
/// The ollama chat provider is a container, which cannot start without a container runtime, so this runs what the
/// orchestrator would run, by hand: each service's run-mode environment is taken from the app model, with Redis and
/// PostgreSQL endpoints at real servers on loopback, the ollama endpoint answered by our Worker's Ollama-compatible API,
/// and the Api and Embeddings services started as processes with exactly that environment. (The local provider runs
/// through the real orchestrator in <see cref="EndToEndTests"/>.)
/// </summary>
public sealed class OllamaProviderTests
{
    private const string Chat = "wordnet-chat-1m";
    private const string Embedding = "m2v-bge-base-vocabq-64d";

    [Fact]
    public async Task With_ollama_a_streamed_chat_and_embeddings_go_through_the_api_into_redis_and_the_audit_log()
    {
        const string provider = "ollama";
        await using var model = await AppModel.BuildAsync(args: [$"--Parameters:chat-provider={provider}", $"--Parameters:chat-model={Chat}"]);
        var ports = new Dictionary<string, int>();
        model.AllocateEndpoints((resource, endpoint) => ports[$"{resource.Name}/{endpoint.Name}"] = ServiceProcess.FreePort());

        var apiEnvironment = await model.EnvironmentAsync("api");
        var password = apiEnvironment["ConnectionStrings__cache"].Split(",password=")[1];
        var redis = RedisServer.On(ports["cache/tcp"], password);
        var postgres = PostgresServer.On(ports["postgres/tcp"]);
        List<ServiceProcess> services = [];
        try
        {
            await Task.WhenAll(redis.InitializeAsync(), postgres.InitializeAsync());
            services.Add(await StartAsync(model, "embeddings", "Inference.Embeddings", ports["embeddings/http"]));
            // The ollama container's endpoint answered by our Worker's Ollama-compatible API: a real server speaking
            // Ollama's protocol, reached through OllamaSharp.
            services.Add(await ServiceProcess.StartAsync("Inference.Worker", new Dictionary<string, string>
                {
                    ["INFERENCE_MODELS_DIR"] = (await model.EnvironmentAsync("embeddings"))["INFERENCE_MODELS_DIR"],
                    [$"Inference__Models__{Chat}__Path"] = Chat,
                }, ports["ollama/http"]));
            var api = await StartAsync(model, "api", "Inference.Api", ports["api/http"]);
            services.Add(api);

            var chat = new OpenAIClient(new ApiKeyCredential(AppModel.AdminKey), new OpenAIClientOptions { Endpoint = new Uri(api.BaseAddress, "/v1") }).GetChatClient(Chat);
            var text = new System.Text.StringBuilder();
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("What does \"dog\" mean?")], new ChatCompletionOptions { Temperature = 0 }))
            {
                text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            }

            Assert.Equal("dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", text.ToString());

            // The AppHost turns authentication on: the Api takes the admin key it was given.
            using var http = new HttpClient { BaseAddress = api.BaseAddress };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AppModel.AdminKey);
            using var embeddings = await http.PostAsJsonAsync("/v1/embeddings", new { model = Embedding, input = "A man is playing a guitar." });
            var vector = (await embeddings.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("embedding");
            Assert.Equal(64, vector.GetArrayLength());

            Assert.True(await redis.KeyCountAsync() >= 2, "the deterministic chat answer and the embedding are cached in Redis");
            var audited = await Eventually.HoldsAsync(
                () => postgres.QueryAsync(
                    "SELECT \"Provider\", \"Operation\", \"OutputTokens\" FROM audit_log ORDER BY \"Timestamp\"",
                    r =>
                    {
                        List<(string, string, int?)> rows = [];
                        while (r.Read())
                        {
                            rows.Add((r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt32(2)));
                        }

                        return rows;
                    }),
                rows => rows.Count >= 2);
            Assert.Equal([(provider, "chat"), ("embeddings", "embeddings")], audited.Select(r => (r.Item1, r.Item2)));
            Assert.True(audited[0].Item3 > 10);
        }
        finally
        {
            foreach (var service in services)
            {
                await service.DisposeAsync();
            }

            await redis.DisposeAsync();
            await postgres.DisposeAsync();
        }
    }

    /// <summary>A service with the environment the app model gives it; the orchestrator's own placeholders filled as it fills them.</summary>
    private static async Task<ServiceProcess> StartAsync(AppModel model, string resource, string project, int port)
    {
        var environment = await model.EnvironmentAsync(resource);
        environment["OTEL_SERVICE_NAME"] = resource;
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={resource}-{Guid.NewGuid():N}";
        return await ServiceProcess.StartAsync(project, environment, port);
    }
}
