using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// <c>/apply-template</c>, <c>/tokenize</c> and <c>/detokenize</c> on both engines, against the chat model's reference
/// prompt and ids (its golden file), and their errors.
/// </summary>
public sealed class PromptInspectionTests(InferenceApiFixture api) : IClassFixture<InferenceApiFixture>
{
    private const string Question = """[{"role":"user","content":"What does \"dog\" mean?"}]""";

    internal static JsonElement Golden => JsonDocument.Parse(File.ReadAllText(Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m", "golden.json"))).RootElement.GetProperty("cases")[0];

    [Theory]
    [InlineData(InferenceApiFixture.Chat)]
    [InlineData("wordnet-chat-1m-gguf")]
    public async Task The_prompt_and_its_ids_are_the_reference_s_on_both_engines(string model)
    {
        using var http = api.CreateClient();
        await InspectAsync(http, model);
    }

    /// <summary>The checks a model serving wordnet-chat-1m passes, here or through a gateway.</summary>
    internal static async Task InspectAsync(HttpClient http, string model)
    {
        var prompt = Golden.GetProperty("prompt").GetString()!;
        var ids = Golden.GetProperty("prompt_ids").EnumerateArray().Select(i => i.GetInt32()).ToList();

        var applied = await LifecycleHost.PostAsync(http, "/apply-template", $$"""{"model":"{{model}}","messages":{{Question}}}""");
        Assert.Equal(prompt, applied.GetProperty("prompt").GetString());

        var tokenized = await LifecycleHost.PostAsync(http, "/tokenize", JsonSerializer.Serialize(new { model, content = prompt }));
        Assert.Equal(ids, tokenized.GetProperty("tokens").EnumerateArray().Select(i => i.GetInt32()));

        var rendered = await LifecycleHost.PostAsync(http, "/tokenize", $$"""{"model":"{{model}}","messages":{{Question}},"with_pieces":true}""");
        var pieces = rendered.GetProperty("tokens").EnumerateArray().ToList();
        Assert.Equal(ids, pieces.Select(p => p.GetProperty("id").GetInt32()));
        Assert.Equal(prompt, string.Concat(pieces.Select(p => p.GetProperty("piece").GetString())));
        Assert.Equal("<|im_start|>", pieces[0].GetProperty("piece").GetString());

        var detokenized = await LifecycleHost.PostAsync(http, "/detokenize", JsonSerializer.Serialize(new { model, tokens = ids }));
        Assert.Equal(prompt, detokenized.GetProperty("content").GetString());

        // No generation prompt: the conversation as it stands.
        var history = await LifecycleHost.PostAsync(http, "/apply-template", $$"""{"model":"{{model}}","add_generation_prompt":false,"messages":{{Question}}}""");
        Assert.Equal("<|im_start|>user\nWhat does \"dog\" mean?<|im_end|>\n", history.GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task Bad_requests_are_OpenAI_errors()
    {
        using var http = api.CreateClient();
        await BadInputTests.AssertError(
            await http.PostAsync("/detokenize", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Chat}}","tokens":[4,99999999]}""")), 400, "tokens[1]", null);
        await BadInputTests.AssertError(
            await http.PostAsync("/tokenize", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Chat}}","content":"a","messages":{{Question}}}""")), 400, "content", null);
        await BadInputTests.AssertError(
            await http.PostAsync("/tokenize", OpenAIClientTests.Json("""{"model":"no-such-model","content":"a"}""")), 404, "model", "model_not_found");
        await BadInputTests.AssertError(
            await http.PostAsync("/apply-template", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Chat}}","messages":[]}""")), 400, "messages", null);
        using var raw = await http.PostAsync("/tokenize", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Chat}}","content":"dog","add_special":true}"""));
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
    }
}
