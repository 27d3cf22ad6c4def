using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using NATS.Client.Core;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The Worker and the Embeddings service on a real nats-server (JetStream on): seed 004's requests on their subjects
/// answered as the same body over HTTP, raw and templated; streamed replies; error replies to malformed messages, after
/// which the Worker keeps serving; health, heartbeats and load reports with their fields and (shortened) cadence; two
/// Workers in one queue group sharing requests.
/// </summary>
public sealed class NatsTransportTests : IAsyncLifetime
{
    private const string Chat = InferenceApiFixture.Chat;
    private const string Embedding = InferenceApiFixture.Embedding;
    private readonly NatsServer _nats = new();
    private ServiceProcess _worker = null!;
    private ServiceProcess _embeddings = null!;
    private NatsConnection _client = null!;

    public async Task InitializeAsync()
    {
        await _nats.InitializeAsync();
        var workers = ServiceProcess.StartAsync("Inference.Worker", Environment("worker-a", (Chat, Chat)));
        var embeddings = ServiceProcess.StartAsync("Inference.Embeddings", Environment("embeddings-a", (Embedding, Embedding)));
        (_worker, _embeddings) = (await workers, await embeddings);
        _client = new NatsConnection(new NatsOpts { Url = _nats.ConnectionString, RequestTimeout = TimeSpan.FromSeconds(30) });
        await _client.ConnectAsync();
        await WaitServedAsync(NatsSubjects(Chat).Health);
        await WaitServedAsync($"models.{Embedding}.health");
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _worker.DisposeAsync();
        await _embeddings.DisposeAsync();
        await _nats.DisposeAsync();
    }

    private Dictionary<string, string> Environment(string replica, params (string Id, string Path)[] models)
    {
        var environment = new Dictionary<string, string>
        {
            ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
            ["ConnectionStrings__nats"] = _nats.ConnectionString,
            ["Inference__Nats__Replica"] = replica,
            ["Inference__Nats__HeartbeatInterval"] = "00:00:01",
            ["Inference__Nats__MonitoringIdleInterval"] = "00:00:00.500",
            ["Inference__Nats__MonitoringBusyInterval"] = "00:00:00.200",
            ["Inference__Nats__MaxMessageBytes"] = "16384",
            ["Inference__Cache__Enabled"] = "false",
        };
        foreach (var (id, path) in models)
        {
            environment[$"Inference__Models__{id}__Path"] = path;
        }

        return environment;
    }

    private static (string Inference, string Health, string Heartbeat, string Monitoring) NatsSubjects(string model) =>
        ($"inference.request.{model}", $"models.{model}.health", $"models.{model}.heartbeat", $"monitoring.inference.{model}");

    [Fact]
    public async Task Seed_004_requests_answer_on_their_subjects_as_the_same_body_over_http()
    {
        using var http = new HttpClient { BaseAddress = _worker.BaseAddress };
        foreach (var raw in new[] { false, true })
        {
            var body = new { req_id = $"manual-req-{raw}", input = raw ? "<|im_start|>user\ndog<|im_end|>\n<|im_start|>assistant\n" : "What does \"dog\" mean?", @params = new { max_tokens = 30, temperature = 0 }, raw };
            var overHttp = await LifecycleHost.PostAsync(http, "/v1/completions", JsonSerializer.Serialize(body));

            var reply = await RequestAsync(NatsSubjects(Chat).Inference, body);

            Assert.Equal($"manual-req-{raw}", reply.GetProperty("req_id").GetString());
            Assert.Equal(overHttp.GetProperty("text").GetString(), reply.GetProperty("text").GetString());
            Assert.True(raw || reply.GetProperty("text").GetString()!.StartsWith("dog", StringComparison.Ordinal), reply.GetProperty("text").GetString());
            Assert.Equal(overHttp.GetProperty("tokens_in").GetInt32(), reply.GetProperty("tokens_in").GetInt32());
            Assert.Equal(overHttp.GetProperty("tokens_out").GetInt32(), reply.GetProperty("tokens_out").GetInt32());
            Assert.Equal(overHttp.GetProperty("finish_reason").GetString(), reply.GetProperty("finish_reason").GetString());
            Assert.True(reply.GetProperty("duration_ms").GetDouble() > 0);
        }

        // Embeddings: OpenAI's list, the vector the HTTP route gives.
        using var embeddingsHttp = new HttpClient { BaseAddress = _embeddings.BaseAddress };
        var expected = await LifecycleHost.PostAsync(embeddingsHttp, "/v1/embeddings", JsonSerializer.Serialize(new { model = Embedding, input = "Hello world" }));
        var embedded = await RequestAsync($"embedding.request.{Embedding}", new { req_id = "embed-123", input = "Hello world", model = Embedding });
        Assert.Equal(("list", "embed-123"), (embedded.GetProperty("object").GetString(), embedded.GetProperty("req_id").GetString()));
        Assert.Equal(
            expected.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()),
            embedded.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()));
    }

    [Fact]
    public async Task A_streamed_reply_comes_in_pieces_that_make_the_whole_answer()
    {
        var body = new { req_id = "stream-1", input = "What does \"tree\" mean?", @params = new { max_tokens = 30, temperature = 0 } };
        var whole = await RequestAsync(NatsSubjects(Chat).Inference, body);

        var pieces = new List<JsonElement>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var message in _client.RequestManyAsync<byte[], byte[]>(
            NatsSubjects(Chat).Inference, JsonSerializer.SerializeToUtf8Bytes(new { body.req_id, body.input, body.@params, stream = true }), cancellationToken: timeout.Token))
        {
            var piece = JsonDocument.Parse(message.Data!).RootElement.Clone();
            pieces.Add(piece);
            if (piece.GetProperty("done").GetBoolean())
            {
                break;
            }
        }

        Assert.True(pieces.Count > 3, "the answer arrives in pieces");
        Assert.All(pieces, p => Assert.Equal("stream-1", p.GetProperty("req_id").GetString()));
        var last = pieces[^1];
        Assert.Equal(whole.GetProperty("text").GetString(), string.Concat(pieces.SkipLast(1).Select(p => p.GetProperty("text").GetString())));
        Assert.Equal(whole.GetProperty("text").GetString(), last.GetProperty("text").GetString());
        Assert.Equal(whole.GetProperty("tokens_out").GetInt32(), last.GetProperty("tokens_out").GetInt32());
        Assert.Equal(whole.GetProperty("tokens_in").GetInt32(), last.GetProperty("tokens_in").GetInt32());
    }

    [Fact]
    public async Task Malformed_messages_get_error_replies_and_the_worker_keeps_serving()
    {
        var subject = NatsSubjects(Chat).Inference;
        async Task<JsonElement> Raw(byte[] data) =>
            JsonDocument.Parse((await _client.RequestAsync<byte[], byte[]>(subject, data)).Data!).RootElement.Clone();

        var notJson = await Raw(Encoding.UTF8.GetBytes("{not json"));
        Assert.Equal(("invalid_json", 400), (notJson.GetProperty("error").GetProperty("code").GetString(), notJson.GetProperty("error").GetProperty("status").GetInt32()));
        var empty = await Raw([]);
        Assert.Equal("invalid_json", empty.GetProperty("error").GetProperty("code").GetString());
        var oversized = await Raw(JsonSerializer.SerializeToUtf8Bytes(new { input = new string('a', 20_000) }));
        Assert.Equal(("message_too_large", 413), (oversized.GetProperty("error").GetProperty("code").GetString(), oversized.GetProperty("error").GetProperty("status").GetInt32()));
        var otherModel = await RequestAsync(subject, new { req_id = "r-9", input = "dog", model = "no-such-model" });
        Assert.Equal(("r-9", "model_mismatch", "model"), (otherModel.GetProperty("req_id").GetString(), otherModel.GetProperty("error").GetProperty("code").GetString(), otherModel.GetProperty("error").GetProperty("param").GetString()));
        var noInput = await RequestAsync(subject, new { req_id = "r-10", @params = new { max_tokens = 5 } });
        Assert.Equal((400, "input"), (noInput.GetProperty("error").GetProperty("status").GetInt32(), noInput.GetProperty("error").GetProperty("param").GetString()));
        var tooLong = await RequestAsync(subject, new { req_id = "r-11", input = string.Concat(Enumerable.Repeat("dog ", 400)) });
        Assert.Equal("context_length_exceeded", tooLong.GetProperty("error").GetProperty("code").GetString());

        var answered = await RequestAsync(subject, new { req_id = "after", input = "dog", @params = new { max_tokens = 5 } });
        Assert.Equal(("after", 5), (answered.GetProperty("req_id").GetString(), answered.GetProperty("tokens_out").GetInt32()));
    }

    [Fact]
    public async Task Health_heartbeats_and_load_reports_arrive_with_their_fields_and_cadence()
    {
        var (inference, health, heartbeat, monitoring) = NatsSubjects(Chat);
        var status = await RequestAsync(health, new { });
        Assert.Equal((Chat, "online", inference), (status.GetProperty("model_name").GetString(), status.GetProperty("status").GetString(), status.GetProperty("nats_topic").GetString()));
        Assert.Equal(("worker-a", $"{inference}.worker-a"), (status.GetProperty("replica").GetString(), status.GetProperty("replica_topic").GetString()));
        Assert.Contains("text-generation", status.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(256, status.GetProperty("model_info").GetProperty("context_size").GetInt32());
        Assert.True(status.GetProperty("queue_metrics").GetProperty("queue_capacity").GetInt32() > 0);
        Assert.Equal("healthy", status.GetProperty("backpressure_status").GetProperty("level").GetString());

        var beats = await ReceiveAsync(heartbeat, 3, TimeSpan.FromSeconds(10));
        Assert.All(beats, b => Assert.Equal((Chat, "worker-a"), (b.Data.GetProperty("model_name").GetString(), b.Data.GetProperty("replica").GetString())));
        Assert.InRange((beats[2].At - beats[1].At).TotalSeconds, 0.5, 2.5);

        var reports = await ReceiveAsync(monitoring, 3, TimeSpan.FromSeconds(10));
        var report = reports[0].Data;
        foreach (var field in new[] { "model_name", "pending_messages", "active_processing", "timestamp", "worker_count", "queue_capacity", "status" })
        {
            Assert.True(report.TryGetProperty(field, out _), field);
        }

        Assert.Equal("healthy", report.GetProperty("status").GetString());
        Assert.InRange((reports[2].At - reports[1].At).TotalSeconds, 0.2, 1.5);

        // The same status is asked of the embedding model's subject.
        var embeddingStatus = await RequestAsync($"models.{Embedding}.health", new { });
        Assert.Equal(($"embedding.request.{Embedding}", 64), (embeddingStatus.GetProperty("nats_topic").GetString(), embeddingStatus.GetProperty("model_info").GetProperty("embedding_size").GetInt32()));
    }

    [Fact]
    public async Task Two_workers_in_one_queue_group_share_the_requests_and_each_answers_on_its_own_subject()
    {
        await using var second = await ServiceProcess.StartAsync("Inference.Worker", Environment("worker-b", (Chat, Chat)));
        await Eventually.HoldsAsync(() => RequestAsync(NatsSubjects(Chat).Health + "", new { }), _ => true);
        await Eventually.HoldsAsync(
            async () => await RequestAsync($"{NatsSubjects(Chat).Inference}.worker-b", new { input = "dog", @params = new { max_tokens = 2 } }),
            r => r.TryGetProperty("text", out _));
        var before = (await RollingDeploymentTests.WorkerRequestsAsync(_worker, Chat), await RollingDeploymentTests.WorkerRequestsAsync(second, Chat));

        const int Requests = 100;
        var replies = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => RequestAsync(NatsSubjects(Chat).Inference, new { req_id = $"q-{i}", input = $"word {i}", @params = new { max_tokens = 4, temperature = 0 } })));

        Assert.Equal(Enumerable.Range(0, Requests).Select(i => $"q-{i}"), replies.Select(r => r.GetProperty("req_id").GetString()));
        Assert.All(replies, r => Assert.True(r.TryGetProperty("text", out _), r.ToString()));
        // Each call is counted as its reply goes out: the counts settle a moment later.
        async Task<(double, double)> CountsAsync() => (await RollingDeploymentTests.WorkerRequestsAsync(_worker, Chat) - before.Item1, await RollingDeploymentTests.WorkerRequestsAsync(second, Chat) - before.Item2);
        var (first, other) = await Eventually.HoldsAsync(CountsAsync, c => c.Item1 + c.Item2 >= Requests);
        Assert.Equal(Requests, first + other);
        Assert.True(first > 0 && other > 0, $"both replicas answer: {first} and {other}");

        // Both replicas are in the queue group, as every service on the server counts them from their heartbeats.
        using var metrics = new HttpClient { BaseAddress = _worker.BaseAddress };
        await Eventually.HoldsAsync(
            () => metrics.GetStringAsync("/metrics"),
            text => text.Split('\n').Any(l => l.StartsWith("inference_nats_queue_group_members{", StringComparison.Ordinal) && l.Contains($"model=\"{Chat}\"", StringComparison.Ordinal) && l.EndsWith(" 2", StringComparison.Ordinal)));

        // Each replica on its own subject: only it answers.
        await RequestAsync($"{NatsSubjects(Chat).Inference}.worker-b", new { input = "cat", @params = new { max_tokens = 2 } });
        var (firstAfter, otherAfter) = await Eventually.HoldsAsync(CountsAsync, c => c.Item2 > other);
        Assert.Equal((first, other + 1), (firstAfter, otherAfter));
    }

    [Fact]
    public async Task The_gateway_s_nats_provider_answers_chat_streams_tools_structured_output_and_embeddings_as_its_http_provider()
    {
        var empty = Directory.CreateTempSubdirectory("nats-gateway-").FullName;
        await using var api = Gateway(
            empty,
            ("Inference:Remote:over-nats:Provider", "worker"),
            ("Inference:Remote:over-nats:ConnectionString", $"Endpoint={_nats.ConnectionString};Model={Chat}"),
            ("Inference:Remote:over-http:Provider", "worker"),
            ("Inference:Remote:over-http:ConnectionString", $"Endpoint={_worker.BaseAddress};Model={Chat}"),
            ("Inference:Remote:embed-nats:Provider", "embeddings"),
            ("Inference:Remote:embed-nats:ConnectionString", $"Endpoint={_nats.ConnectionString};Model={Embedding}"),
            ("Inference:Remote:embed-http:Provider", "embeddings"),
            ("Inference:Remote:embed-http:ConnectionString", $"Endpoint={_embeddings.BaseAddress};Model={Embedding}"),
            ("Inference:Remote:ghost:Provider", "worker"),
            ("Inference:Remote:ghost:ConnectionString", $"Endpoint={_nats.ConnectionString};Model=nobody-serves-this"));
        using var http = api.CreateClient();
        await Eventually.HoldsAsync(() => http.GetAsync("/ready"), r => r.IsSuccessStatusCode);
        async Task<JsonElement> Both(string body) =>
            await LifecycleHost.PostAsync(http, "/v1/chat/completions", body.Replace("MODEL", "over-nats", StringComparison.Ordinal)) is var nats
            && await LifecycleHost.PostAsync(http, "/v1/chat/completions", body.Replace("MODEL", "over-http", StringComparison.Ordinal)) is var direct
            && Comparable(nats) == Comparable(direct)
                ? nats
                : throw new Xunit.Sdk.XunitException($"over NATS and over HTTP differ for {body}");

        var chat = await Both("""{"model":"MODEL","temperature":0,"max_tokens":30,"messages":[{"role":"user","content":"What does \"dog\" mean?"}]}""");
        Assert.StartsWith("dog: a member of the genus Canis", chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);

        var tools = await Both("""
            {"model":"MODEL","temperature":0,"tool_choice":"required","messages":[{"role":"user","content":"Weather in Paris?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string","enum":["Paris","London"]}},"required":["city"]}}}]}
            """);
        Assert.Equal("tool_calls", tools.GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        var structured = await Both("""
            {"model":"MODEL","temperature":0,"max_tokens":60,"messages":[{"role":"user","content":"dog"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"w","strict":true,"schema":{"type":"object","properties":{"word":{"type":"string","maxLength":12}},"required":["word"],"additionalProperties":false}}}}
            """);
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(structured.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!).RootElement.GetProperty("word").ValueKind);

        // Streamed: the same pieces make the same answer.
        var openai = new OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential("unused"), new OpenAI.OpenAIClientOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/v1"),
            Transport = new System.ClientModel.Primitives.HttpClientPipelineTransport(api.CreateClient()),
        });
        var streamed = new StringBuilder();
        var pieces = 0;
        await foreach (var update in openai.GetChatClient("over-nats").CompleteChatStreamingAsync(
            [new OpenAI.Chat.UserChatMessage("What does \"dog\" mean?")], new OpenAI.Chat.ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 30 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
                pieces++;
            }
        }

        Assert.True(pieces > 3, "the answer streams in pieces over NATS");
        Assert.Equal(chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), streamed.ToString());

        var overNats = await LifecycleHost.PostAsync(http, "/v1/embeddings", JsonSerializer.Serialize(new { model = "embed-nats", input = "a guitar" }));
        var overHttp = await LifecycleHost.PostAsync(http, "/v1/embeddings", JsonSerializer.Serialize(new { model = "embed-http", input = "a guitar" }));
        Assert.Equal(overHttp.GetProperty("data")[0].GetProperty("embedding").GetRawText(), overNats.GetProperty("data")[0].GetProperty("embedding").GetRawText());

        // A model nothing serves on NATS is the gateway's error for a provider that is not there, at once, not at a timeout.
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var ghost = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"ghost","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.True((int)ghost.StatusCode >= 500, $"{ghost.StatusCode}");
        var refusal = await ghost.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("upstream_error", refusal.GetProperty("error").GetProperty("code").GetString());
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"{started.Elapsed}");
        Directory.Delete(empty, recursive: true);
    }

    [Fact]
    public async Task A_request_its_requester_gives_up_stops_generating_and_a_stream_whose_worker_dies_ends_with_an_error()
    {
        // A random-weight model of an 8k context: it writes until max_tokens, so a generation is there to be stopped.
        const string Long = "long";
        await using var worker = await ServiceProcess.StartAsync("Inference.Worker", Environment("worker-long", (Long, SyntheticModels.OnnxFolder)));
        var subject = NatsSubjects(Long).Inference;
        await WaitServedAsync(NatsSubjects(Long).Health);
        var body = JsonSerializer.SerializeToUtf8Bytes(new { req_id = "given-up", input = "hi", raw = true, stream = true, @params = new { max_tokens = 3000 } });

        var pieces = 0;
        var afterCancel = 0;
        var ended = false;
        try
        {
            await foreach (var message in _client.RequestManyAsync<byte[], byte[]>(subject, body, replyOpts: new NatsSubOpts { IdleTimeout = TimeSpan.FromSeconds(3) }))
            {
                ended |= JsonDocument.Parse(message.Data!).RootElement.GetProperty("done").GetBoolean();
                if (++pieces == 5)
                {
                    await _client.PublishAsync("inference.cancel", JsonSerializer.SerializeToUtf8Bytes(new { req_id = "given-up" }));
                }
                else if (pieces > 5)
                {
                    afterCancel++;
                }
            }
        }
        catch (NatsNoReplyException)
        {
        }

        Assert.False(ended, "a given-up request sends no totals");
        Assert.InRange(afterCancel, 0, 50);
        await Eventually.HoldsAsync(
            async () => (await new HttpClient { BaseAddress = worker.BaseAddress }.GetStringAsync("/metrics")).Split('\n')
                .Any(l => l.StartsWith("ml_inference_requests_total{", StringComparison.Ordinal) && l.Contains($"model=\"{Long}\"", StringComparison.Ordinal) && l.Contains("status=\"cancelled\"", StringComparison.Ordinal)),
            cancelled => cancelled);

        // Through a gateway: the Worker killed mid-stream ends the caller's stream with an error within the reply timeout.
        var empty = Directory.CreateTempSubdirectory("nats-dying-").FullName;
        await using var api = Gateway(
            empty,
            ("Inference:Nats:ReplyTimeout", "00:00:03"),
            ("Inference:Remote:long:Provider", "worker"),
            ("Inference:Remote:long:ConnectionString", $"Endpoint={_nats.ConnectionString};Model={Long}"));
        using var http = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = OpenAIClientTests.Json("""{"model":"long","stream":true,"max_tokens":3000,"messages":[{"role":"user","content":"hi"}]}"""),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line);
                if (events.Count == 5)
                {
                    await worker.DisposeAsync();
                    watch.Restart();
                }
            }
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"the stream ended {watch.Elapsed} after its Worker died");
        Assert.True(events.Any(e => e.Contains("\"error\"", StringComparison.Ordinal)), string.Join("\n", events.TakeLast(3)));
        Directory.Delete(empty, recursive: true);
    }

    [Fact]
    public async Task The_cli_chats_and_embeds_over_nats()
    {
        var whole = await RequestAsync(NatsSubjects(Chat).Inference, new { input = "What does \"dog\" mean?", @params = new { max_tokens = 40, temperature = 0 } });

        var (code, output, errors) = await CliTests.RunCliAsync(["chat", "--nats", _nats.ConnectionString, "-m", Chat, "--temperature", "0", "--max-tokens", "40", "--message", "What does \"dog\" mean?"]);
        Assert.True(code == 0, errors);
        Assert.Equal(whole.GetProperty("text").GetString(), output.Trim());

        // Interactive: a line, an answer, each its own turn.
        var (linesCode, lines, _) = await CliTests.RunCliAsync(["chat", "--nats", _nats.ConnectionString, "-m", Chat, "--temperature", "0", "--max-tokens", "40"], "What does \"dog\" mean?\nWhat does \"cat\" mean?\n/exit\n");
        Assert.Equal(0, linesCode);
        Assert.Equal(2, lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("cat:", lines.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1], StringComparison.Ordinal);

        var (embedCode, json, _) = await CliTests.RunCliAsync(["embed", "--nats", _nats.ConnectionString, "-m", Embedding, "--json", "a guitar"]);
        Assert.Equal(0, embedCode);
        Assert.Equal(64, JsonDocument.Parse(json).RootElement.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());

        var (refused, _, refusal) = await CliTests.RunCliAsync(["chat", "--nats", _nats.ConnectionString, "-m", "nope", "--message", "hi"]);
        Assert.Equal(1, refused);
        Assert.Equal($"inference: Nothing serves inference.request.nope on {_nats.ConnectionString}/.", refusal.Trim());
    }

    /// <summary>An Api of no local models (cache off) with <paramref name="settings"/>: a gateway to the services under test.</summary>
    private static Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Gateway(string directory, params (string Key, string Value)[] settings) =>
        new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", directory);
            b.UseSetting("Inference:Metadata:SqlitePath", Path.Combine(directory, "metadata.db"));
            b.UseSetting("Inference:Cache:Enabled", "false");
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });

    /// <summary>An answer's message, its calls' ids (new for every answer) left out.</summary>
    private static string Comparable(JsonElement answer) =>
        System.Text.RegularExpressions.Regex.Replace(answer.GetProperty("choices")[0].GetProperty("message").GetRawText(), "\"id\":\"[^\"]*\"", "\"id\":\"\"");

    private async Task<JsonElement> RequestAsync(string subject, object body)
    {
        var reply = await _client.RequestAsync<byte[], byte[]>(subject, JsonSerializer.SerializeToUtf8Bytes(body));
        return JsonDocument.Parse(reply.Data!).RootElement.Clone();
    }

    private async Task<List<(DateTimeOffset At, JsonElement Data)>> ReceiveAsync(string subject, int count, TimeSpan within)
    {
        var received = new List<(DateTimeOffset, JsonElement)>();
        using var timeout = new CancellationTokenSource(within);
        await foreach (var message in _client.SubscribeAsync<byte[]>(subject, cancellationToken: timeout.Token))
        {
            received.Add((DateTimeOffset.UtcNow, JsonDocument.Parse(message.Data!).RootElement.Clone()));
            if (received.Count == count)
            {
                break;
            }
        }

        return received;
    }

    /// <summary>Until a subject is answered (the service subscribes once its models are loaded).</summary>
    private async Task WaitServedAsync(string subject) =>
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await _client.RequestAsync<byte[], byte[]>(subject, "{}"u8.ToArray(), replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(1) });
                return true;
            }
            catch (NatsNoRespondersException)
            {
                return false;
            }
            catch (NatsNoReplyException)
            {
                return false;
            }
        }, served => served);
}
