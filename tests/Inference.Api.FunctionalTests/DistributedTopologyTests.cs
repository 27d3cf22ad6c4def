using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The platform as separate processes wired by Aspire-style environment variables, against real Redis and PostgreSQL:
/// routing to the Worker, the Redis cache, the audit log in PostgreSQL, and what happens when either server goes away.
/// </summary>
public sealed class DistributedTopologyTests(DistributedPlatform platform) : IClassFixture<DistributedPlatform>
{
    private const string Chat = DistributedPlatform.Chat;
    private const string Embedding = DistributedPlatform.Embedding;

    [Fact]
    public async Task A_streamed_chat_travels_from_the_api_to_the_worker_and_back()
    {
        var before = await WorkerRequestsAsync();

        var updates = await ChatClient(platform.Api.BaseAddress).GetStreamingResponseAsync("What does \"tree\" mean?").ToListAsync();

        var text = string.Concat(updates.Select(u => u.Text));
        Assert.StartsWith("tree: a tall perennial woody plant", text, StringComparison.Ordinal);
        Assert.True(updates.Count(u => u.Text.Length > 0) > 3, "the answer arrives in pieces");
        Assert.Equal(before + 1, await WorkerRequestsAsync());
    }

    [Fact]
    public async Task The_api_lists_the_worker_s_and_embeddings_service_s_models_with_their_capabilities()
    {
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        var models = (await http.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("data").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);

        Assert.Equal([Embedding, DistributedPlatform.CrossEncoder, Chat, DistributedPlatform.Gguf, DistributedPlatform.Classifier], models.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["text-classification", "rerank"], models[DistributedPlatform.CrossEncoder].GetProperty("capabilities").GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        var chat = models[Chat].GetProperty("capabilities");
        Assert.Equal("text-generation", chat.GetProperty("tasks")[0].GetString());
        Assert.Equal(984_192, chat.GetProperty("parameter_count").GetInt64());
        Assert.Equal("F32", chat.GetProperty("quantization").GetString());
        Assert.Equal("tokenizer_config.json", chat.GetProperty("chat_template").GetString());
        Assert.Equal(256, chat.GetProperty("context_length").GetInt32());
        Assert.Equal(64, models[Embedding].GetProperty("capabilities").GetProperty("embedding_length").GetInt32());
        var gguf = models[DistributedPlatform.Gguf].GetProperty("capabilities");
        Assert.Equal("gguf", gguf.GetProperty("format").GetString());
        Assert.Equal("llama", gguf.GetProperty("architecture").GetString());
        Assert.Equal("F32", gguf.GetProperty("quantization").GetString());
        Assert.Equal(128, gguf.GetProperty("embedding_length").GetInt32());
    }

    [Theory]
    [InlineData(Chat)]
    [InlineData(DistributedPlatform.Gguf)]
    public async Task Prompts_are_inspected_through_the_gateway_as_the_worker_renders_and_tokenizes_them(string model)
    {
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        await PromptInspectionTests.InspectAsync(http, model);
    }

    [Fact]
    public async Task Anthropic_messages_and_token_counts_go_through_the_gateway_as_the_worker_answers_them()
    {
        using var gateway = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        using var worker = new HttpClient { BaseAddress = platform.Worker.BaseAddress };
        var body = $$"""{"model":"{{Chat}}","max_tokens":30,"messages":[{"role":"user","content":"What does \"tree\" mean?"}]}""";

        var viaGateway = await LifecycleHost.PostAsync(gateway, "/v1/messages", body);
        var direct = await LifecycleHost.PostAsync(worker, "/v1/messages", body);
        Assert.Equal(direct.GetProperty("content")[0].GetProperty("text").GetString(), viaGateway.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.StartsWith("tree: a tall perennial woody plant", viaGateway.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        var counted = await LifecycleHost.PostAsync(gateway, "/v1/messages/count_tokens", body);
        Assert.Equal(direct.GetProperty("usage").GetProperty("input_tokens").GetInt32(), counted.GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task Responses_go_through_the_gateway_to_the_worker_and_are_kept_in_postgres()
    {
        using var gateway = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        using var worker = new HttpClient { BaseAddress = platform.Worker.BaseAddress };
        var direct = await LifecycleHost.PostAsync(worker, "/v1/chat/completions", $$"""{"model":"{{Chat}}","max_tokens":30,"messages":[{"role":"user","content":"What does \"tree\" mean?"}]}""");

        var requestId = "responses-" + Guid.NewGuid().ToString("N");
        using var created = await PostAsync(gateway, "/v1/responses", requestId, $$"""{"model":"{{Chat}}","max_output_tokens":30,"input":"What does \"tree\" mean?"}""");
        var response = await created.Content.ReadFromJsonAsync<JsonElement>();
        var text = response.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString();
        Assert.Equal(direct.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), text);
        Assert.Equal(direct.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), response.GetProperty("usage").GetProperty("input_tokens").GetInt32());

        // Kept in PostgreSQL, and audited as the Worker's chat call.
        var id = response.GetProperty("id").GetString();
        Assert.Equal(1L, await platform.Postgres.QueryAsync($"SELECT COUNT(*) FROM responses WHERE \"Id\" = '{id}'", r => r.Read() ? r.GetInt64(0) : 0));
        var row = await AuditRowAsync(requestId);
        Assert.Equal((Chat, "worker", "chat", "ok"), (row.Model, row.Provider, row.Operation, row.Status));

        // Continued, streamed: the events end with the completed response, which saw the first turn.
        using var next = await gateway.PostAsync("/v1/responses", OpenAIClientTests.Json($$"""{"model":"{{Chat}}","max_output_tokens":10,"stream":true,"previous_response_id":"{{id}}","input":"And \"stone\"?"}"""));
        var events = AnthropicMessagesTests.ParseEvents(await next.Content.ReadAsStringAsync());
        var last = events[^1].Data.GetProperty("response");
        Assert.Equal(id, last.GetProperty("previous_response_id").GetString());
        Assert.True(last.GetProperty("usage").GetProperty("input_tokens").GetInt32() > response.GetProperty("usage").GetProperty("input_tokens").GetInt32() + response.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Reranking_through_the_gateway_scores_with_the_embeddings_service_s_vectors()
    {
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        var expected = await RerankTests.CosinesAsync(http, Embedding);

        var answer = await LifecycleHost.PostAsync(http, "/v1/rerank", JsonSerializer.Serialize(new
        {
            model = Embedding, query = "a dog barking at night", documents = new[] { "the stock market fell", "a puppy yapping loudly", "tree bark is rough", "cats sleep all day" },
        }));

        Assert.All(answer.GetProperty("results").EnumerateArray(), r => Assert.Equal(expected[r.GetProperty("index").GetInt32()], r.GetProperty("relevance_score").GetDouble(), 4));

        // A cross-encoder the Embeddings service runs: the request is reranked there, as PyTorch scores its pairs.
        await CrossEncoderRerankTests.AssertReferenceScoresAsync(http, DistributedPlatform.CrossEncoder);
    }

    [Fact]
    public async Task A_classification_goes_from_the_api_to_the_embeddings_service_and_repeats_come_from_redis()
    {
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        var listed = (await http.GetFromJsonAsync<JsonElement>($"/v1/models/{DistributedPlatform.Classifier}")).GetProperty("capabilities");
        Assert.Equal("text-classification", listed.GetProperty("tasks")[0].GetString());
        Assert.Equal(8, listed.GetProperty("labels").GetArrayLength());

        const string text = "a tool for driving nails";
        var before = await ClassifierRequestsAsync();
        var first = await (await http.PostAsJsonAsync("/v1/classify", new { model = DistributedPlatform.Classifier, input = new[] { text, "a large wild cat with a tawny coat" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["artifact", "animal"], first.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("label").GetString()));
        Assert.Equal(before + 1, await ClassifierRequestsAsync());

        // Both inputs are in Redis now: the same texts (one of them alone, through TEI's route) do not reach the service.
        var again = await (await http.PostAsJsonAsync("/predict", new { inputs = text, top_k = 1 })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("artifact", Assert.Single(again.EnumerateArray()).GetProperty("label").GetString());
        Assert.Equal(first.GetProperty("data")[0].GetProperty("probs").EnumerateArray().Max(p => p.GetDouble()), again[0].GetProperty("score").GetDouble(), 6);
        Assert.Equal(before + 1, await ClassifierRequestsAsync());

        // An input over the model's context is the caller's error, passed on from the service.
        using var tooLong = await http.PostAsJsonAsync("/v1/classify", new { model = DistributedPlatform.Classifier, input = string.Join(' ', Enumerable.Repeat("cat", 600)) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("maximum context length is 512", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_s_and_embeddings_service_s_operational_events_are_kept_in_the_api_s_database()
    {
        using var worker = new HttpClient { BaseAddress = platform.Worker.BaseAddress };
        var own = await worker.GetFromJsonAsync<JsonElement>($"/api/operational-events?model={Chat}&code=model.loaded");
        Assert.Equal("memory", own.GetProperty("source").GetString());
        var loaded = Assert.Single(own.GetProperty("events").EnumerateArray());
        Assert.Equal("Inference.Worker", loaded.GetProperty("service").GetString());

        // The Api takes them at its status samples and keeps them in PostgreSQL, under their own service and id.
        var id = Guid.Parse(loaded.GetProperty("id").GetString()!);
        var services = await Eventually.HoldsAsync(
            () => platform.Postgres.QueryAsync(
                "SELECT DISTINCT \"Service\" FROM operational_events WHERE \"Code\" = 'model.loaded'",
                r => { var list = new List<string>(); while (r.Read()) { list.Add(r.GetString(0)); } return list; }),
            list => list.Contains("Inference.Worker") && list.Contains("Inference.Embeddings"));
        Assert.DoesNotContain("Inference.Api", services);
        Assert.Equal(1, await platform.Postgres.QueryAsync($"SELECT COUNT(*) FROM operational_events WHERE \"Id\" = '{id}'", r => r.Read() ? r.GetInt64(0) : 0));
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        var viaApi = await http.GetFromJsonAsync<JsonElement>($"/api/operational-events?model={DistributedPlatform.Classifier}&code=model.loaded");
        Assert.Equal("Inference.Embeddings", Assert.Single(viaApi.GetProperty("events").EnumerateArray()).GetProperty("service").GetString());
    }

    [Fact]
    public async Task The_gateway_shows_the_worker_s_and_embeddings_service_s_own_status_with_their_queues()
    {
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        var services = (await http.GetFromJsonAsync<JsonElement>("/api/services")).GetProperty("services").EnumerateArray().ToList();
        Assert.Equal("gateway", services[0].GetProperty("kind").GetString());
        Assert.Empty(services[0].GetProperty("models").EnumerateArray());

        var worker = services.Single(s => s.GetProperty("kind").GetString() == "worker");
        Assert.Equal("online", worker.GetProperty("status").GetString());
        // Named as service discovery names it.
        Assert.Equal("worker", worker.GetProperty("name").GetString());
        Assert.Equal("http://worker/", worker.GetProperty("endpoint").GetString());
        Assert.True(worker.GetProperty("response_time_ms").GetDouble() > 0);
        Assert.True(worker.GetProperty("uptime_seconds").GetDouble() > 0, "the Worker's own uptime");
        var gguf = worker.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model_name").GetString() == DistributedPlatform.Gguf);
        Assert.Equal("local", gguf.GetProperty("provider").GetString());
        Assert.Equal("F32", gguf.GetProperty("model_info").GetProperty("quantization").GetString());
        Assert.True(gguf.GetProperty("queue_metrics").GetProperty("kv_cells_capacity").GetInt32() > 0);
        Assert.Equal("healthy", gguf.GetProperty("backpressure_status").GetProperty("level").GetString());

        var embeddings = services.Single(s => s.GetProperty("kind").GetString() == "embeddings");
        Assert.Equal("online", embeddings.GetProperty("status").GetString());
        Assert.Equal(
            [DistributedPlatform.Embedding, DistributedPlatform.CrossEncoder, DistributedPlatform.Classifier],
            embeddings.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model_name").GetString()).Order(StringComparer.Ordinal));

        // Each service exports its own metrics.
        foreach (var service in new[] { platform.Worker, platform.Embeddings, platform.Api })
        {
            using var metrics = new HttpClient { BaseAddress = service.BaseAddress };
            Assert.Contains("ml_inference_health_score", await metrics.GetStringAsync("/metrics"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_gguf_model_on_the_worker_streams_through_the_api_with_its_reused_prefix_counted()
    {
        var client = ChatClient(platform.Api.BaseAddress, DistributedPlatform.Gguf);
        var options = new ChatOptions { Temperature = 0.5f, Seed = 7 };
        List<Microsoft.Extensions.AI.ChatMessage> history = [new(ChatRole.User, "What does \"dog\" mean?")];
        var first = await client.GetStreamingResponseAsync(history, options).ToListAsync();
        var direct = await ChatClient(platform.Worker.BaseAddress, DistributedPlatform.Gguf).GetResponseAsync(history, options);

        Assert.Equal(direct.Text, string.Concat(first.Select(u => u.Text)));
        Assert.True(first.Count(u => u.Text.Length > 0) > 3, "the answer arrives in pieces");

        history.AddRange([new(ChatRole.Assistant, direct.Text), new(ChatRole.User, "What does \"cat\" mean?")]);
        var second = await client.GetResponseAsync(history, options);
        Assert.True(second.Usage?.CachedInputTokenCount > 16, $"{second.Usage?.CachedInputTokenCount} prompt tokens reused");
    }

    [Fact]
    public async Task A_repeated_deterministic_request_is_answered_from_redis_without_reaching_the_worker()
    {
        var client = ChatClient(platform.Api.BaseAddress);
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 24 };
        var before = await WorkerRequestsAsync();

        var first = await client.GetResponseAsync("What does \"house\" mean?", options);
        Assert.Equal(before + 1, await WorkerRequestsAsync());
        Assert.True(await platform.Redis.KeyCountAsync() > 0);

        var second = await client.GetResponseAsync("What does \"house\" mean?", options);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(before + 1, await WorkerRequestsAsync());
    }

    [Fact]
    public async Task Every_call_lands_in_the_postgres_audit_log_with_its_token_counts()
    {
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };

        var chatId = "audit-chat-" + Guid.NewGuid().ToString("N");
        using var chat = await PostAsync(http, "/v1/chat/completions", chatId,
            $$"""{"model":"{{Chat}}","messages":[{"role":"user","content":"What does \"river\" mean?"}],"max_tokens":12,"temperature":0.7,"seed":1}""");
        var chatUsage = (await chat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("usage");

        var streamId = "audit-stream-" + Guid.NewGuid().ToString("N");
        using var stream = await PostAsync(http, "/v1/chat/completions", streamId,
            $$$"""{"model":"{{{Chat}}}","messages":[{"role":"user","content":"What does \"stone\" mean?"}],"stream":true,"stream_options":{"include_usage":true}}""");
        var streamUsage = JsonDocument.Parse((await stream.Content.ReadAsStringAsync()).Split('\n')
            .Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Last()["data: ".Length..]).RootElement.GetProperty("usage");

        var embedId = "audit-embed-" + Guid.NewGuid().ToString("N");
        using var embed = await PostAsync(http, "/v1/embeddings", embedId, $$$"""{"model":"{{{Embedding}}}","input":["a dog barks","the river flows"]}""");
        var embedUsage = (await embed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("usage");

        var chatRow = await AuditRowAsync(chatId);
        Assert.Equal((Chat, "1", "worker", "chat", "ok"), (chatRow.Model, chatRow.Version, chatRow.Provider, chatRow.Operation, chatRow.Status));
        Assert.Equal(chatUsage.GetProperty("prompt_tokens").GetInt32(), chatRow.InputTokens);
        Assert.Equal(12, chatRow.OutputTokens);
        Assert.Equal(chatUsage.GetProperty("completion_tokens").GetInt32(), chatRow.OutputTokens);
        Assert.True(chatRow.LatencyMs > 0);
        Assert.Equal("127.0.0.1", chatRow.Caller);

        var streamRow = await AuditRowAsync(streamId);
        Assert.Equal(streamUsage.GetProperty("prompt_tokens").GetInt32(), streamRow.InputTokens);
        Assert.Equal(streamUsage.GetProperty("completion_tokens").GetInt32(), streamRow.OutputTokens);
        Assert.NotNull(streamRow.TimeToFirstTokenMs);
        Assert.InRange(streamRow.TimeToFirstTokenMs!.Value, 0.001, streamRow.LatencyMs);

        var embedRow = await AuditRowAsync(embedId);
        Assert.Equal((Embedding, "embeddings", "embeddings", "ok"), (embedRow.Model, embedRow.Provider, embedRow.Operation, embedRow.Status));
        Assert.Equal(embedUsage.GetProperty("prompt_tokens").GetInt32(), embedRow.InputTokens);
    }

    [Fact]
    public async Task A_refused_call_is_audited_as_an_error()
    {
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        var id = "audit-error-" + Guid.NewGuid().ToString("N");
        using var response = await PostAsync(http, "/v1/chat/completions", id,
            "{\"model\":\"" + Chat + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + string.Concat(Enumerable.Repeat("dog ", 300)) + "\"}]}",
            HttpStatusCode.BadRequest);

        var row = await AuditRowAsync(id);
        Assert.Equal("error", row.Status);
        Assert.Contains("context", row.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_registry_api_reads_models_and_versions_from_postgres()
    {
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        var models = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>("/api/models"), list => list.GetArrayLength() == 5);
        var chat = models.EnumerateArray().Single(m => m.GetProperty("id").GetString() == Chat);
        Assert.Equal("worker", chat.GetProperty("provider").GetString());
        Assert.Equal("chat", chat.GetProperty("kind").GetString());
        Assert.Equal(984_192, chat.GetProperty("parameters").GetProperty("parameter_count").GetInt64());
        Assert.Equal("1", chat.GetProperty("defaultVersion").GetString());
        var gguf = models.EnumerateArray().Single(m => m.GetProperty("id").GetString() == DistributedPlatform.Gguf);
        Assert.Equal("worker", gguf.GetProperty("provider").GetString());
        Assert.Equal("F32", gguf.GetProperty("parameters").GetProperty("quantization").GetString());

        var classifier = models.EnumerateArray().Single(m => m.GetProperty("id").GetString() == DistributedPlatform.Classifier);
        Assert.Equal(("embeddings", "classification", "text-classification"), (classifier.GetProperty("provider").GetString(), classifier.GetProperty("kind").GetString(), classifier.GetProperty("task").GetString()));
        Assert.Equal(8, classifier.GetProperty("labels").GetArrayLength());

        var one = await http.GetFromJsonAsync<JsonElement>($"/api/models/{Embedding}");
        Assert.Equal("embeddings", one.GetProperty("provider").GetString());
        Assert.Equal(64, one.GetProperty("parameters").GetProperty("embedding_length").GetInt32());

        var versions = await http.GetFromJsonAsync<JsonElement>($"/api/models/{Chat}/versions");
        var version = Assert.Single(versions.EnumerateArray());
        Assert.True(version.GetProperty("isDefault").GetBoolean());
        Assert.False(version.GetProperty("deprecated").GetBoolean());
        Assert.Equal("worker", version.GetProperty("configuration").GetProperty("Provider").GetString());

        using var missing = await http.GetAsync("/api/models/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        using var missingVersions = await http.GetAsync("/api/models/nope/versions");
        Assert.Equal(HttpStatusCode.NotFound, missingVersions.StatusCode);
    }

    [Fact]
    public async Task With_redis_killed_requests_keep_succeeding_and_caching_resumes_when_it_returns()
    {
        var client = ChatClient(platform.Api.BaseAddress);
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 16 };
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        await platform.Redis.StopAsync();
        try
        {
            var first = await client.GetResponseAsync("What does \"bird\" mean?", options);
            var second = await client.GetResponseAsync("What does \"bird\" mean?", options);
            Assert.StartsWith("bird:", first.Text, StringComparison.Ordinal);
            Assert.Equal(first.Text, second.Text);
            Assert.Equal("Degraded", await http.GetStringAsync("/health"));
        }
        finally
        {
            await platform.Redis.StartAsync();
        }

        // Redis came back empty; after the bypass window (Inference:Cache:RetryAfter) answers are stored there again.
        Assert.Equal(0, await platform.Redis.KeyCountAsync());
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await client.GetResponseAsync("What does \"fish\" mean?", options);
        Assert.True(await platform.Redis.KeyCountAsync() > 0);
        var before = await WorkerRequestsAsync();
        await client.GetResponseAsync("What does \"fish\" mean?", options);
        Assert.Equal(before, await WorkerRequestsAsync());
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));

        // The outage and the return are operational events, in that order.
        var events = await Eventually.HoldsAsync(
            () => http.GetFromJsonAsync<JsonElement>("/api/operational-events?limit=500"),
            e => e.GetProperty("events").EnumerateArray().Any(x => x.GetProperty("code").GetString() == "cache.restored"));
        var lost = events.GetProperty("events").EnumerateArray().Last(x => x.GetProperty("code").GetString() == "cache.unavailable");
        var back = events.GetProperty("events").EnumerateArray().First(x => x.GetProperty("code").GetString() == "cache.restored");
        Assert.Equal("warning", lost.GetProperty("level").GetString());
        Assert.True(back.GetProperty("timestamp").GetDateTimeOffset() > lost.GetProperty("timestamp").GetDateTimeOffset());
    }

    [Fact]
    public async Task Stopping_postgres_for_a_few_seconds_loses_no_audit_row()
    {
        using var http = new HttpClient { BaseAddress = platform.Api.BaseAddress };
        List<string> ids = [];
        await platform.Postgres.StopAsync();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                var id = $"outage-{i}-{Guid.NewGuid():N}";
                ids.Add(id);
                using var response = i % 2 == 0
                    ? await PostAsync(http, "/v1/chat/completions", id, $$"""{"model":"{{Chat}}","messages":[{"role":"user","content":"What does \"sun\" mean?"}],"max_tokens":4}""")
                    : await PostAsync(http, "/v1/embeddings", id, $$"""{"model":"{{Embedding}}","input":"outage {{i}}"}""");
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal("Degraded", await http.GetStringAsync("/health"));
        }
        finally
        {
            await platform.Postgres.StartAsync();
        }

        var rows = await Eventually.HoldsAsync(
            () => platform.Postgres.QueryAsync(
                $"SELECT COUNT(*) FROM audit_log WHERE \"RequestId\" IN ({string.Join(',', ids.Select(i => $"'{i}'"))})",
                r => r.Read() ? r.GetInt64(0) : 0),
            count => count >= ids.Count);
        Assert.Equal(ids.Count, rows);

        // What happened while PostgreSQL was down was kept and written once it was back: the outage itself, then the return.
        var codes = await Eventually.HoldsAsync(
            () => platform.Postgres.QueryAsync(
                "SELECT \"Code\" FROM operational_events WHERE \"Code\" LIKE 'metadata.%' ORDER BY \"Timestamp\"",
                r => { var list = new List<string>(); while (r.Read()) { list.Add(r.GetString(0)); } return list; }),
            list => list.Contains("metadata.restored"));
        Assert.Equal("metadata.unavailable", codes[^2]);
        Assert.Equal("metadata.restored", codes[^1]);
        var startup = await platform.Postgres.QueryAsync(
            "SELECT COUNT(*) FROM operational_events WHERE \"Code\" = 'startup' AND \"Service\" = 'Inference.Api'", r => r.Read() ? r.GetInt64(0) : 0);
        Assert.True(startup >= 1);
    }

    [Fact]
    public async Task OllamaSharp_and_the_OpenAI_client_both_work_against_the_worker()
    {
        var ollama = new OllamaApiClient(new HttpClient { BaseAddress = platform.Worker.BaseAddress }, Chat);
        var viaOllama = await ((IChatClient)ollama).GetResponseAsync("What does \"dog\" mean?");
        Assert.StartsWith("dog: a member of the genus Canis", viaOllama.Text, StringComparison.Ordinal);

        var viaOpenAI = await ChatClient(platform.Worker.BaseAddress).GetResponseAsync("What does \"dog\" mean?");
        Assert.Equal(viaOllama.Text, viaOpenAI.Text);
    }

    [Fact]
    public async Task Switching_the_chat_provider_from_worker_to_local_changes_nothing_for_the_caller()
    {
        await using var local = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            b.UseSetting($"Inference:Models:{Chat}:Path", Chat);
        });
        var localClient = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions
        {
            Endpoint = new Uri(local.Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(local.CreateClient()),
        }).GetChatClient(Chat).AsIChatClient();

        var options = new ChatOptions { Temperature = 0.8f, Seed = 5, MaxOutputTokens = 30 };
        var viaWorker = await ChatClient(platform.Api.BaseAddress).GetResponseAsync("What does \"moon\" mean?", options);
        var viaLocal = await localClient.GetResponseAsync("What does \"moon\" mean?", options);

        Assert.Equal(viaLocal.Text, viaWorker.Text);
        Assert.Equal(viaLocal.Usage?.InputTokenCount, viaWorker.Usage?.InputTokenCount);
        Assert.Equal(viaLocal.Usage?.OutputTokenCount, viaWorker.Usage?.OutputTokenCount);
    }

    private static IChatClient ChatClient(Uri service, string model = Chat) => new OpenAIClient(
        new ApiKeyCredential("unused"),
        new OpenAIClientOptions { Endpoint = new Uri(service, "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) })
        .GetChatClient(model).AsIChatClient();

    private async Task<long> WorkerRequestsAsync()
    {
        using var http = new HttpClient { BaseAddress = platform.Worker.BaseAddress };
        return (await http.GetFromJsonAsync<JsonElement>($"/v1/models/{Chat}")).GetProperty("requests_total").GetInt64();
    }

    private async Task<long> ClassifierRequestsAsync()
    {
        using var http = new HttpClient { BaseAddress = platform.Embeddings.BaseAddress };
        return (await http.GetFromJsonAsync<JsonElement>($"/v1/models/{DistributedPlatform.Classifier}")).GetProperty("requests_total").GetInt64();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string requestId, string json, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = OpenAIClientTests.Json(json) };
        request.Headers.Add("x-request-id", requestId);
        var response = await http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(requestId, response.Headers.GetValues("x-request-id").Single());
        return response;
    }

    private sealed record AuditRow(
        string Model, string? Version, string Provider, string Operation, int? InputTokens, int? OutputTokens,
        double LatencyMs, double? TimeToFirstTokenMs, string Status, string? Error, string? Caller);

    /// <summary>The audit row of a request, once the background writer has written it.</summary>
    private async Task<AuditRow> AuditRowAsync(string requestId) => (await Eventually.HoldsAsync(() => platform.Postgres.QueryAsync(
        $"""
        SELECT "Model", "Version", "Provider", "Operation", "InputTokens", "OutputTokens", "LatencyMs", "TimeToFirstTokenMs", "Status", "Error", "Caller"
        FROM audit_log WHERE "RequestId" = '{requestId}'
        """,
        r => r.Read()
            ? new AuditRow(
                r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetInt32(5), r.GetDouble(6),
                r.IsDBNull(7) ? null : r.GetDouble(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10))
            : null), row => row is not null))!;
}
