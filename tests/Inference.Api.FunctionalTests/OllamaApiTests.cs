using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OllamaSharp.Models;
using OllamaSharp.Models.Chat;

namespace Inference.Api.FunctionalTests;

/// <summary>OllamaSharp, Ollama's .NET client, works unchanged against the Ollama-compatible surface.</summary>
public sealed class OllamaApiTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    private OllamaApiClient Client(string model = InferenceApiFixture.Chat) => new(fixture.CreateClient(), model);

    [Fact]
    public async Task OllamaSharp_lists_shows_and_reports_the_version()
    {
        using var client = Client();
        var models = (await client.ListLocalModelsAsync()).Select(m => m.Name).ToList();
        Assert.Contains(InferenceApiFixture.Chat, models);
        Assert.Contains(InferenceApiFixture.Embedding, models);
        var show = await client.ShowModelAsync(InferenceApiFixture.Chat);
        Assert.StartsWith("{% for message in messages %}{{'<|im_start|>'", show.Template, StringComparison.Ordinal);
        Assert.Contains("completion", show.Capabilities ?? []);
        Assert.Equal("984.19K", show.Details?.ParameterSize);
        Assert.Equal("F32", show.Details?.QuantizationLevel);
        Assert.Equal(984_192L, show.Info?.ParameterCount);
        Assert.False(string.IsNullOrEmpty((await client.GetVersionAsync())?.ToString()));
    }

    [Fact]
    public async Task OllamaSharp_as_an_IChatClient_answers_streaming_and_not()
    {
        using var client = Client();
        IChatClient chat = client;
        var response = await chat.GetResponseAsync("What does \"dog\" mean?");
        Assert.Equal("dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", response.Text);

        var streamed = await chat.GetStreamingResponseAsync("What does \"water\" mean?").ToChatResponseAsync();
        Assert.Equal("water: binary compound that occurs at room temperature as a clear colorless odorless tasteless liquid.", streamed.Text);
        Assert.Equal(16, streamed.Usage?.InputTokenCount);
        Assert.Equal(32, streamed.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task OllamaSharp_chat_stream_ends_with_a_done_chunk_and_options_apply()
    {
        using var client = Client();
        var chunks = new List<ChatResponseStream?>();
        await foreach (var chunk in client.ChatAsync(new ChatRequest
        {
            Model = InferenceApiFixture.Chat,
            Messages = [new Message(OllamaSharp.Models.Chat.ChatRole.User, "What does \"dog\" mean?")],
            Options = new RequestOptions { NumPredict = 5, Temperature = 0 },
        }))
        {
            chunks.Add(chunk);
        }

        var done = Assert.IsType<ChatDoneResponseStream>(chunks[^1]);
        Assert.True(done.Done);
        Assert.Equal(5, done.EvalCount);
        Assert.Equal("length", done.DoneReason);
        Assert.All(chunks.Take(chunks.Count - 1), c => Assert.False(c!.Done));
    }

    [Fact]
    public async Task OllamaSharp_generates_raw_and_embeds()
    {
        using var client = Client();
        var text = "";
        await foreach (var chunk in client.GenerateAsync(new GenerateRequest
        {
            Model = InferenceApiFixture.Chat,
            Raw = true,
            Prompt = "<|im_start|>user\nWhat does \"house\" mean?<|im_end|>\n<|im_start|>assistant\nhouse:",
        }))
        {
            text += chunk?.Response;
        }

        Assert.Equal(" a dwelling that serves as living quarters for one or more families.", text);

        var embedded = await client.EmbedAsync(new EmbedRequest { Model = InferenceApiFixture.Embedding, Input = ["A man is playing a guitar.", "Someone plays an instrument."] });
        Assert.Equal(2, embedded.Embeddings.Count);
        Assert.Equal(64, embedded.Embeddings[0].Length);
    }

    [Fact]
    public async Task The_older_embeddings_route_answers_a_prompt_s_vector_as_Ollama_does()
    {
        // ollama-js's embeddings() and older clients call /api/embeddings with one prompt.
        using var http = fixture.CreateClient();
        using var legacy = await http.PostAsync("/api/embeddings", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Embedding}}","prompt":"A man is playing a guitar."}"""));
        Assert.Equal(HttpStatusCode.OK, legacy.StatusCode);
        var vector = JsonDocument.Parse(await legacy.Content.ReadAsStringAsync()).RootElement.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        using var client = Client();
        var embedded = await client.EmbedAsync(new EmbedRequest { Model = InferenceApiFixture.Embedding, Input = ["A man is playing a guitar."] });
        Assert.Equal(embedded.Embeddings[0], vector);

        // An empty prompt loads the model and answers an empty vector, as Ollama's does.
        using var empty = await http.PostAsync("/api/embeddings", OpenAIClientTests.Json($$"""{"model":"{{InferenceApiFixture.Embedding}}","prompt":""}"""));
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await empty.Content.ReadAsStringAsync()).RootElement.GetProperty("embedding").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/embeddings", """{"model":"wordnet-chat-1m","prompt":"x"}""", 400)]
    [InlineData("/api/embeddings", """{"model":"nope","prompt":"x"}""", 404)]
    [InlineData("/api/embeddings", """{"prompt":"x"}""", 400)]
    [InlineData("/api/chat", """{"model":"nope","messages":[{"role":"user","content":"hi"}]}""", 404)]
    [InlineData("/api/chat", """{"model":"wordnet-chat-1m","messages":[],"keep_alive":"soon"}""", 400)]
    [InlineData("/api/chat", """{"model":"wordnet-chat-1m","messages":[{"role":"wizard","content":"hi"}]}""", 400)]
    [InlineData("/api/chat", """{"model":"wordnet-chat-1m","options":{"temperature":9},"messages":[{"role":"user","content":"hi"}]}""", 400)]
    [InlineData("/api/chat", """{"model":"wordnet-chat-1m","options":{"num_predict":"x"},"messages":[]}""", 400)]
    [InlineData("/api/generate", """{"model":"wordnet-chat-1m","keep_alive":true}""", 400)]
    [InlineData("/api/generate", """{"model":"m2v-bge-base-vocabq-64d","prompt":"hi"}""", 400)]
    [InlineData("/api/generate", "{\"model\":\"wordnet-chat-1m\",\"raw\":true,\"prompt\":\"" + "dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog dog\"}", 400)]
    [InlineData("/api/embed", """{"model":"m2v-bge-base-vocabq-64d","input":[]}""", 400)]
    [InlineData("/api/embed", """{"model":"wordnet-chat-1m","input":"x"}""", 400)]
    [InlineData("/api/show", """{"model":"nope"}""", 404)]
    [InlineData("/api/chat", "not json", 400)]
    public async Task Bad_requests_get_an_Ollama_error(string path, string body, int status)
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync(path, OpenAIClientTests.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.False(string.IsNullOrWhiteSpace(JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Non_streaming_chat_is_one_done_object()
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync("/api/chat", OpenAIClientTests.Json("""{"model":"wordnet-chat-1m","stream":false,"messages":[{"role":"user","content":"What does \"cat\" mean?"}]}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("done").GetBoolean());
        Assert.Equal("stop", body.GetProperty("done_reason").GetString());
        Assert.Equal("cat: feline mammal usually having thick soft fur and no ability to roar.", body.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(26, body.GetProperty("eval_count").GetInt32());
    }
}
