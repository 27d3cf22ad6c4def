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
        await using var local = Api(b => b.UseSetting("Inference:Models:dictionary:Path", "wordnet-chat-1m"));
        await using var remote = Api(b =>
        {
            b.UseSetting("Inference:Models:m2v-bge-base-vocabq-64d:Path", "m2v-bge-base-vocabq-64d");
            b.UseSetting("Inference:Remote:dictionary:Provider", "worker");
            b.UseSetting("Inference:Remote:dictionary:ConnectionString", $"Endpoint={worker.BaseAddress};Model=wordnet-chat-1m");
        });

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
        await using var remote = Api(b =>
        {
            b.UseSetting("Inference:Models:m2v-bge-base-vocabq-64d:Path", "m2v-bge-base-vocabq-64d");
            b.UseSetting("Inference:Remote:dictionary:Provider", "worker");
            b.UseSetting("Inference:Remote:dictionary:ConnectionString", $"Endpoint={worker.BaseAddress};Model=wordnet-chat-1m");
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
