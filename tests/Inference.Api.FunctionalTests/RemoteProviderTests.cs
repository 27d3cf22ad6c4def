using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The Api serving a model through the Worker over HTTP answers exactly as when it runs the model in-process:
/// swapping the provider is configuration only.
/// </summary>
public sealed class RemoteProviderTests(WorkerProcess worker) : IClassFixture<WorkerProcess>
{
    private const string Question = "What does \"tree\" mean?";

    [Fact]
    public async Task Worker_and_local_providers_give_the_caller_the_same_answers()
    {
        await using var local = LocalApi();
        await using var remote = WorkerApi();

        var viaLocal = Chat(local);
        var viaWorker = Chat(remote);
        var expected = await viaLocal.GetResponseAsync(Question);
        Assert.StartsWith("tree: a tall perennial woody plant", expected.Text, StringComparison.Ordinal);

        var actual = await viaWorker.GetResponseAsync(Question);
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Usage?.InputTokenCount, actual.Usage?.InputTokenCount);
        Assert.Equal(expected.Usage?.OutputTokenCount, actual.Usage?.OutputTokenCount);

        var streamed = await viaWorker.GetStreamingResponseAsync(Question).ToChatResponseAsync();
        Assert.Equal(expected.Text, streamed.Text);

        var seeded = new ChatOptions { Temperature = 1, Seed = 99, MaxOutputTokens = 20 };
        Assert.Equal((await viaLocal.GetResponseAsync(Question, seeded)).Text, (await viaWorker.GetResponseAsync(Question, seeded)).Text);
    }

    [Fact]
    public async Task The_worker_s_refusals_reach_the_caller_as_4xx_and_an_unreachable_worker_as_502()
    {
        await using var remote = WorkerApi(b =>
        {
            b.UseSetting("Inference:Remote:gone:Provider", "openai");
            b.UseSetting("Inference:Remote:gone:ConnectionString", "Endpoint=http://127.0.0.1:9;Model=x");
        });
        using var http = remote.CreateClient();
        using var tooLong = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(
            "{\"model\":\"dictionary\",\"messages\":[{\"role\":\"user\",\"content\":\"" + string.Concat(Enumerable.Repeat("dog ", 300)) + "\"}]}"));
        await BadInputTests.AssertError(tooLong, 400, "messages", "context_length_exceeded");

        using var unreachable = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"gone","messages":[{"role":"user","content":"hi"}]}"""));
        await BadInputTests.AssertError(unreachable, 502, null, "upstream_error");
    }

    [Fact]
    public async Task Output_constraints_reach_the_worker_unchanged_and_an_ollama_provider_refuses_grammars()
    {
        await using var local = LocalApi();
        await using var remote = WorkerApi(b =>
        {
            b.UseSetting("Inference:Remote:llama:Provider", "ollama");
            b.UseSetting("Inference:Remote:llama:ConnectionString", "Endpoint=http://127.0.0.1:9;Model=llama");
        });

        // The same seeded requests through the Worker and in-process: identical answers, so the schema and grammar
        // arrived as sent (MEAI's OpenAI client alone would have rewritten the schema's bounds away).
        string[] bodies =
        [
            """{"model":"dictionary","temperature":1,"seed":4,"messages":[{"role":"user","content":"An animal?"}],"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":""" + StructuredScenarios.Schemas[0] + "}}}",
            """{"model":"dictionary","temperature":1,"seed":4,"messages":[{"role":"user","content":"Yes?"}],"grammar":"root ::= (\"yes\" | \"no\") \", \" [a-z]{2,5}"}""",
        ];
        foreach (var body in bodies)
        {
            var expected = await PostAsync(local, body);
            var actual = await PostAsync(remote, body);
            Assert.Equal((string?)expected["choices"]![0]!["message"]!["content"], (string?)actual["choices"]![0]!["message"]!["content"]);
            Assert.Equal("stop", (string?)actual["choices"]![0]!["finish_reason"]);
        }

        // Tools reach the Worker too (their schema's key order may change on the way, so the prompt may differ): a call, in the tool's schema.
        var tools = await PostAsync(remote, """{"model":"dictionary","temperature":0.7,"seed":4,"messages":[{"role":"user","content":"Ok?"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}}}],"tool_choice":"required"}""");
        Assert.Equal("tool_calls", (string?)tools["choices"]![0]!["finish_reason"]);
        var call = tools["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!;
        Assert.Equal("f", (string?)call["name"]);
        Assert.Contains(System.Text.Json.Nodes.JsonNode.Parse((string)call["arguments"]!)!["ok"]!.GetValueKind(), (System.Text.Json.JsonValueKind[])[System.Text.Json.JsonValueKind.True, System.Text.Json.JsonValueKind.False]);

        var validated = await PostAsync(remote, bodies[0]);
        using (var answer = System.Text.Json.JsonDocument.Parse((string)validated["choices"]![0]!["message"]!["content"]!))
        {
            Assert.True(Json.Schema.JsonSchema.FromText(StructuredScenarios.Schemas[0]).Evaluate(answer.RootElement).IsValid);
        }


        using var http = remote.CreateClient();
        using var refused = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"llama","grammar":"root ::= \"a\"","messages":[{"role":"user","content":"hi"}]}"""));
        await BadInputTests.AssertError(refused, 400, "grammar", "unsupported_parameter");
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> PostAsync(WebApplicationFactory<Program> api, string body)
    {
        using var http = api.CreateClient();
        using var response = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return System.Text.Json.Nodes.JsonNode.Parse(text)!;
    }

    [Theory]
    [InlineData("telepathy", "Endpoint=http://localhost", "Inference.Api cannot start: Inference:Remote:x:Provider 'telepathy' is unknown; use worker, embeddings, openai or ollama.")]
    [InlineData("worker", "Endpoint", "Inference.Api cannot start: Inference:Remote:x: ConnectionStrings:x is malformed")]
    public async Task Bad_remote_configuration_stops_the_start_naming_the_setting(string provider, string connectionString, string message)
    {
        var (exitCode, stderr) = await HostingTests.RunApiAsync(
            ("Inference__ModelsDirectory", InferenceApiFixture.ModelsRoot),
            ("Inference__Remote__x__Provider", provider),
            ("Inference__Remote__x__ConnectionString", connectionString));
        Assert.Equal(1, exitCode);
        Assert.StartsWith(message, stderr.Trim(), StringComparison.Ordinal);
    }

    /// <summary>The Api running wordnet-chat-1m in-process as "dictionary".</summary>
    private static WebApplicationFactory<Program> LocalApi() => Api(b => b.UseSetting("Inference:Models:dictionary:Path", "wordnet-chat-1m"));

    /// <summary>The Api routing "dictionary" to the Worker (and serving an embedding model itself, so it has a local one).</summary>
    private WebApplicationFactory<Program> WorkerApi(Action<IWebHostBuilder>? more = null) => Api(b =>
    {
        b.UseSetting("Inference:Models:m2v-bge-base-vocabq-64d:Path", "m2v-bge-base-vocabq-64d");
        b.UseSetting("Inference:Remote:dictionary:Provider", "worker");
        b.UseSetting("Inference:Remote:dictionary:ConnectionString", $"Endpoint={worker.BaseAddress};Model=wordnet-chat-1m");
        more?.Invoke(b);
    });

    private static WebApplicationFactory<Program> Api(Action<IWebHostBuilder> configure) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            configure(b);
        });

    private static IChatClient Chat(WebApplicationFactory<Program> api) => new OpenAIClient(
        new System.ClientModel.ApiKeyCredential("unused"),
        new OpenAIClientOptions
        {
            Endpoint = new Uri(api.Server.BaseAddress, "/v1"),
            Transport = new System.ClientModel.Primitives.HttpClientPipelineTransport(api.CreateClient()),
        }).GetChatClient("dictionary").AsIChatClient();
}
