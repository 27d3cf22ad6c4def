using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Seed 004's <c>/v1/completions</c> body (<c>input</c>, <c>params</c>, <c>raw</c>, <c>req_id</c>) is answered in seed
/// 004's shape, through the chat template or raw, with its grammar; OpenAI's body keeps OpenAI's answer.
/// </summary>
public sealed class InputCompletionTests(InferenceApiFixture api) : IClassFixture<InferenceApiFixture>
{
    private const string Chat = InferenceApiFixture.Chat;

    [Fact]
    public async Task Input_goes_through_the_chat_template_and_answers_in_seed_004s_shape()
    {
        using var http = api.CreateClient();
        const string Question = "What does \"dog\" mean?";
        using var response = await http.PostAsJsonAsync("/v1/completions", new { model = Chat, input = Question, req_id = "seed-004-1", @params = new { max_tokens = 12, temperature = 0 } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("seed-004-1", body.GetProperty("req_id").GetString());
        Assert.True(body.GetProperty("tokens_in").GetInt32() > 5);
        Assert.InRange(body.GetProperty("tokens_out").GetInt32(), 1, 12);
        Assert.Contains(body.GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        Assert.True(body.GetProperty("duration_ms").GetDouble() > 0);
        Assert.False(body.TryGetProperty("choices", out _));

        // The same answer a chat completion gives for the same question: the template was applied.
        var chat = await (await http.PostAsJsonAsync("/v1/chat/completions", new { model = Chat, max_tokens = 12, temperature = 0, messages = new[] { new { role = "user", content = Question } } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), body.GetProperty("text").GetString());
        Assert.StartsWith("dog: ", body.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Raw_input_is_completed_as_it_is_like_an_openai_prompt_and_the_request_id_is_echoed()
    {
        using var http = api.CreateClient();
        const string Prompt = "<|im_start|>user\nWhat does \"cat\" mean?<|im_end|>\n<|im_start|>assistant\n";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { model = Chat, input = Prompt, raw = true, @params = new { max_tokens = 8, temperature = 0 } }),
        };
        request.Headers.Add("x-request-id", "raw-echo-1");
        using var response = await http.SendAsync(request);
        var seed = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("raw-echo-1", seed.GetProperty("req_id").GetString());
        Assert.StartsWith(Chat, seed.GetProperty("model").GetString(), StringComparison.Ordinal);

        var openai = await (await http.PostAsJsonAsync("/v1/completions", new { model = Chat, prompt = Prompt, max_tokens = 8, temperature = 0 })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("text_completion", openai.GetProperty("object").GetString());
        Assert.Equal(openai.GetProperty("choices")[0].GetProperty("text").GetString(), seed.GetProperty("text").GetString());
        Assert.Equal(openai.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), seed.GetProperty("tokens_in").GetInt32());
    }

    [Fact]
    public async Task A_grammar_in_params_holds_the_answer_and_wrong_bodies_are_refused()
    {
        using var http = api.CreateClient();
        var answer = await (await http.PostAsJsonAsync("/v1/completions", new { model = Chat, input = "Is a dog an animal?", @params = new { grammar = "root ::= (\"yes\" | \"no\") \".\"", temperature = 0.8, max_tokens = 8 } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(answer.GetProperty("text").GetString(), new[] { "yes.", "no." });

        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/completions", new { model = Chat, input = "" }), 400, "input", null);
        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/completions", new { model = Chat, input = "a", prompt = "b" }), 400, "input", null);
        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/completions", new { model = Chat, input = "a", stream = true }), 400, "stream", null);
        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/completions", new { model = Chat, input = "a", @params = new { grammar = "root ::= (" } }), 400, "grammar", "invalid_grammar");
    }
}
