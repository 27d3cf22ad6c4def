using System.Net;
using System.Text;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>Bad input gets OpenAI's error object with a 4xx status, never a 500 or a hang.</summary>
public sealed class BadInputTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    private const string Dog = """[{"role":"user","content":"What does \"dog\" mean?"}]""";

    public static TheoryData<string, string, int, string?, string?> Cases() => new()
    {
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","messages":""" + Dog, 400, null, null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","temperature":"hot","messages":""" + Dog + "}", 400, "temperature", null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","messages":[]}""", 400, "messages", null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m"}""", 400, "messages", null },
        { "/v1/chat/completions", """{"messages":""" + Dog + "}", 400, "model", null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","messages":[{"role":"wizard","content":"hi"}]}""", 400, "messages[0].role", "invalid_value" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","messages":[{"content":"hi"}]}""", 400, "messages[0].role", null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","messages":[{"role":"user","content":42}]}""", 400, "messages[0].content", null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", 400, "messages[0].content", null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","max_tokens":0,"messages":""" + Dog + "}", 400, "max_tokens", "invalid_value" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","max_tokens":-5,"messages":""" + Dog + "}", 400, "max_tokens", "invalid_value" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","max_completion_tokens":100000,"messages":""" + Dog + "}", 400, "max_tokens", "invalid_value" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","max_tokens":250,"messages":""" + Dog + "}", 400, "messages", "context_length_exceeded" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","temperature":2.5,"messages":""" + Dog + "}", 400, "temperature", "invalid_value" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","temperature":-1,"messages":""" + Dog + "}", 400, "temperature", "invalid_value" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","top_p":1.5,"messages":""" + Dog + "}", 400, "top_p", "invalid_value" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","min_p":1.5,"messages":""" + Dog + "}", 400, "min_p", "invalid_value" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m-gguf","max_tokens":250,"messages":""" + Dog + "}", 400, "messages", "context_length_exceeded" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m-gguf","min_p":-0.1,"messages":""" + Dog + "}", 400, "min_p", "invalid_value" },
        { "/v1/chat/completions", """{"model":"gguf","messages":""" + Dog + "}", 400, "messages", null },
        { "/v1/completions", "{\"model\":\"wordnet-chat-1m-gguf\",\"prompt\":\"" + string.Concat(Enumerable.Repeat("dog ", 300)) + "\"}", 400, "prompt", "context_length_exceeded" },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","n":3,"messages":""" + Dog + "}", 400, "n", null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","stop":[""],"messages":""" + Dog + "}", 400, "stop", null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","stop":["a","b","c","d","e"],"messages":""" + Dog + "}", 400, "stop", null },
        { "/v1/chat/completions", """{"model":"wordnet-chat-1m","tools":{"type":"function"},"messages":""" + Dog + "}", 400, "tools", null },
        { "/v1/chat/completions", """{"model":"nope","messages":""" + Dog + "}", 404, "model", "model_not_found" },
        { "/v1/chat/completions", """{"model":"m2v-bge-base-vocabq-64d","messages":""" + Dog + "}", 400, "model", "model_not_supported" },
        { "/v1/chat/completions", """{"model":"tiny-random-gpt2","messages":""" + Dog + "}", 400, "messages", null },
        { "/v1/chat/completions", "[1,2,3]", 400, null, null },
        { "/v1/chat/completions", "", 400, null, null },
        { "/v1/completions", """{"model":"wordnet-chat-1m","prompt":""}""", 400, "prompt", null },
        { "/v1/completions", """{"model":"wordnet-chat-1m","prompt":[1,2,3]}""", 400, "prompt", null },
        { "/v1/completions", """{"model":"wordnet-chat-1m","prompt":"hi","echo":true}""", 400, "echo", null },
        { "/v1/completions", """{"model":"tiny-random-gpt2","prompt":"Hello world"}""", 400, "prompt", null },
        { "/v1/completions", "{\"model\":\"wordnet-chat-1m\",\"prompt\":\"" + string.Concat(Enumerable.Repeat("dog ", 300)) + "\"}", 400, "prompt", "context_length_exceeded" },
        { "/v1/embeddings", """{"model":"m2v-bge-base-vocabq-64d"}""", 400, "input", null },
        { "/v1/embeddings", """{"model":"m2v-bge-base-vocabq-64d","input":[]}""", 400, "input", null },
        { "/v1/embeddings", """{"model":"m2v-bge-base-vocabq-64d","input":["ok",""]}""", 400, "input", null },
        { "/v1/embeddings", """{"model":"m2v-bge-base-vocabq-64d","input":[[1,2]]}""", 400, "input", null },
        { "/v1/embeddings", """{"model":"m2v-bge-base-vocabq-64d","input":"x","encoding_format":"hex"}""", 400, "encoding_format", "invalid_value" },
        { "/v1/embeddings", """{"model":"m2v-bge-base-vocabq-64d","input":"x","dimensions":32}""", 400, "dimensions", "invalid_value" },
        { "/v1/embeddings", """{"model":"wordnet-chat-1m","input":"x"}""", 400, "model", "model_not_supported" },
        { "/v1/embeddings", """{"model":"m2v-bge-base-vocabq-64d","input":"x","dimensions":"big"}""", 400, "dimensions", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_requests_get_an_OpenAI_error(string path, string body, int status, string? param, string? code)
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertError(response, status, param, code);
    }

    [Fact]
    public async Task The_context_error_states_the_token_counts()
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"wordnet-chat-1m","max_tokens":250,"messages":""" + Dog + "}"));
        var error = await AssertError(response, 400, "messages", "context_length_exceeded");
        Assert.Contains("maximum context length is 256 tokens", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("266 tokens (16 in the prompt, 250 for the completion)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400()
    {
        using var http = fixture.CreateClient();
        var bytes = Encoding.UTF8.GetBytes("""{"model":"wordnet-chat-1m","messages":[{"role":"user","content":"AB"}]}""");
        var at = Array.IndexOf(bytes, (byte)'A');
        bytes[at] = 0xFF;
        bytes[at + 1] = 0xFE;
        using var response = await http.PostAsync("/v1/chat/completions", new ByteArrayContent(bytes));
        var error = await AssertError(response, 400, null, null);
        Assert.Contains("UTF-8", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_a_413_with_or_without_a_length()
    {
        using var http = fixture.CreateClient();
        var big = "{\"model\":\"wordnet-chat-1m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', (int)InferenceApiFixture.BodyLimit) + "\"}]}";
        using var sized = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(big));
        await AssertError(sized, 413, null, "request_too_large");

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))) };
        chunked.Headers.TransferEncodingChunked = true;
        using var response = await http.SendAsync(chunked);
        await AssertError(response, 413, null, "request_too_large");
    }

    [Fact]
    public async Task Unknown_models_and_urls_under_v1_are_404_errors()
    {
        using var http = fixture.CreateClient();
        await AssertError(await http.GetAsync("/v1/models/nope"), 404, "model", "model_not_found");
        await AssertError(await http.GetAsync("/v1/nothing/here"), 404, null, "unknown_url");
    }

    [Fact]
    public async Task A_streaming_request_that_fails_validation_gets_a_plain_error_not_a_stream()
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"tiny-random-gpt2","stream":true,"messages":""" + Dog + "}"));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        await AssertError(response, 400, "messages", null);
    }

    internal static async Task<JsonElement> AssertError(HttpResponseMessage response, int status, string? param, string? code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()));
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        return error;
    }
}
