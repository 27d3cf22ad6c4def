using System.ClientModel;
using System.ClientModel.Primitives;
using Inference.Engines;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenAI;

namespace Inference.Api.FunctionalTests;

/// <summary>The Api in its embedded default: every model of the shared models directory, in process.</summary>
public sealed class InferenceApiFixture : WebApplicationFactory<Program>
{
    public const string Chat = "wordnet-chat-1m";
    public const string Raw = "tiny-random-gpt2";
    public const string Embedding = "m2v-bge-base-vocabq-64d";
    public const long BodyLimit = 64 * 1024;

    public static string ModelsRoot { get; } = ModelsDirectory.Locate()
        ?? throw new InvalidOperationException($"No models directory: set {ModelsDirectory.EnvironmentVariable} or put shared/models beside the checkout.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Inference:ModelsDirectory", ModelsRoot);
        builder.UseSetting("Inference:Api:MaxRequestBodyBytes", BodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Inference:Engine:MaxQueuedRequests", "16");
    }

    /// <summary>The official OpenAI client, pointed at the in-memory server, without retries.</summary>
    public OpenAIClient CreateOpenAIClient() => new(
        new ApiKeyCredential("unused"),
        new OpenAIClientOptions
        {
            Endpoint = new Uri(Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(CreateClient()),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
}
