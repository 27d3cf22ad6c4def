using Inference.Client;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Inference.Api.FunctionalTests;

/// <summary>A sibling service consumes the platform through <c>AddInferenceChatClient</c> and a connection string.</summary>
public sealed class InferenceClientTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    [Theory]
    [InlineData("Endpoint=http://api:8080;Model=m", "http://api:8080/v1", null, "m")]
    [InlineData("Endpoint=https://api.groq.com/openai/v1;Key=sk-1;Model=llama", "https://api.groq.com/openai/v1", "sk-1", "llama")]
    [InlineData("endpoint=http://worker", "http://worker/v1", null, null)]
    public void Connection_strings_parse(string text, string endpoint, string? key, string? model)
    {
        var parsed = InferenceConnectionString.Parse("inference", text);
        Assert.Equal(new Uri(endpoint), parsed.Endpoint);
        Assert.Equal(key, parsed.Key);
        Assert.Equal(model, parsed.Model);
    }

    [Theory]
    [InlineData(null, "ConnectionStrings:inference is missing")]
    [InlineData("Model=m", "ConnectionStrings:inference needs Endpoint=")]
    [InlineData("Endpoint=not a url", "ConnectionStrings:inference needs Endpoint=")]
    [InlineData("Endpoint=ftp://x", "ConnectionStrings:inference needs Endpoint=")]
    [InlineData("Endpoint", "ConnectionStrings:inference is malformed")]
    public void Bad_connection_strings_name_the_setting(string? text, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => InferenceConnectionString.Parse("inference", text));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sibling_service_chats_and_embeds_through_the_registered_clients()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:inference"] = $"Endpoint={fixture.Server.BaseAddress};Model={InferenceApiFixture.Chat}";
        builder.Configuration["ConnectionStrings:vectors"] = $"Endpoint={fixture.Server.BaseAddress};Model={InferenceApiFixture.Embedding}";
        builder.AddInferenceChatClient("inference").UseLogging();
        builder.AddInferenceEmbeddingGenerator("vectors");
        foreach (var name in new[] { "inference", "vectors" })
        {
            builder.Services.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(() => fixture.Server.CreateHandler());
        }

        using var host = builder.Build();
        var chat = host.Services.GetRequiredService<IChatClient>();
        var answer = await chat.GetResponseAsync("What does \"cat\" mean?");
        Assert.Equal("cat: feline mammal usually having thick soft fur and no ability to roar.", answer.Text);

        var embeddings = await host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateAsync(["a", "b"]);
        Assert.Equal(2, embeddings.Count);
        Assert.Equal(64, embeddings[0].Vector.Length);
    }

    [Fact]
    public void A_connection_without_a_model_needs_one_passed_in()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:inference"] = "Endpoint=http://api";
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddInferenceChatClient("inference"));
        Assert.Contains("No model for ConnectionStrings:inference", error.Message, StringComparison.Ordinal);
        builder.AddInferenceChatClient("inference", "wordnet-chat-1m");
    }
}
