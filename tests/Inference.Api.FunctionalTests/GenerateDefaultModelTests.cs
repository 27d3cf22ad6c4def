using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Inference.Api.FunctionalTests;

/// <summary>Seed 001's /generate names no model: the embedded default picks a chat model that can take a prompt.</summary>
public sealed class GenerateDefaultModelTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    [Fact]
    public async Task Without_a_model_a_chat_model_with_a_template_answers()
    {
        // The shared models hold a template-less GGUF ("gguf", first by name): it must not be the default.
        using var response = await fixture.CreateClient().PostAsync("/generate", new StringContent("""{"prompt":"What does \"cat\" mean?","temperature":0}""", Encoding.UTF8, "application/json"));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(InferenceApiFixture.Chat, (string)json["model"]!);
        Assert.StartsWith("cat: ", (string)json["text"]!, StringComparison.Ordinal);
    }
}
