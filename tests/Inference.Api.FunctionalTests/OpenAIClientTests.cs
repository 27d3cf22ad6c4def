using System.Text;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using ChatMessage = OpenAI.Chat.ChatMessage;

namespace Inference.Api.FunctionalTests;

/// <summary>The official OpenAI .NET client and MEAI's OpenAI IChatClient work unchanged against the Api.</summary>
public sealed class OpenAIClientTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    private const string DogDefinition = "dog: a member of the genus Canis that has been domesticated by man since prehistoric times.";

    [Fact]
    public async Task OpenAI_chat_client_gets_the_answer_with_usage()
    {
        var chat = fixture.CreateOpenAIClient().GetChatClient(InferenceApiFixture.Chat);
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("What does \"dog\" mean?")]);
        Assert.Equal(DogDefinition, completion.Content[0].Text);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(16, completion.Usage.InputTokenCount);
        Assert.Equal(34, completion.Usage.OutputTokenCount);
        Assert.Equal(InferenceApiFixture.Chat, completion.Model);
    }

    [Fact]
    public async Task OpenAI_chat_client_streams_the_same_text()
    {
        var chat = fixture.CreateOpenAIClient().GetChatClient(InferenceApiFixture.Chat);
        var text = new StringBuilder();
        var updates = 0;
        OpenAI.Chat.ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new SystemChatMessage("You are a helpful assistant."), new UserChatMessage("What does \"tree\" mean?")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
                updates++;
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("tree: a tall perennial woody plant having a main trunk and branches forming a distinct elevated crown.", text.ToString());
        Assert.True(updates > 10);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(27, usage.InputTokenCount);
    }

    [Fact]
    public async Task OpenAI_chat_client_respects_max_tokens_and_stop()
    {
        var chat = fixture.CreateOpenAIClient().GetChatClient(InferenceApiFixture.Chat);
        ChatCompletion limited = await chat.CompleteChatAsync([new UserChatMessage("What does \"dog\" mean?")], new ChatCompletionOptions { MaxOutputTokenCount = 4 });
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Length, limited.FinishReason);
        Assert.Equal(4, limited.Usage.OutputTokenCount);

        var options = new ChatCompletionOptions();
        options.StopSequences.Add("genus");
        ChatCompletion stopped = await chat.CompleteChatAsync([new UserChatMessage("What does \"dog\" mean?")], options);
        Assert.Equal("dog: a member of the ", stopped.Content[0].Text);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, stopped.FinishReason);
    }

    [Fact]
    public async Task OpenAI_embedding_and_model_clients_work()
    {
        var client = fixture.CreateOpenAIClient();
        var embeddings = await client.GetEmbeddingClient(InferenceApiFixture.Embedding).GenerateEmbeddingsAsync(["A man is playing a guitar.", "Someone plays an instrument."]);
        Assert.Equal(2, embeddings.Value.Count);
        var a = embeddings.Value[0].ToFloats().Span;
        var b = embeddings.Value[1].ToFloats().Span;
        Assert.Equal(64, a.Length);
        Assert.InRange(System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b), 0.67f - 1e-3f, 0.67f + 1e-3f);

        var models = (await client.GetOpenAIModelClient().GetModelsAsync()).Value.Select(m => m.Id).ToList();
        Assert.Contains(InferenceApiFixture.Chat, models);
        Assert.Contains(InferenceApiFixture.Embedding, models);
        Assert.DoesNotContain("SmolLM-360M-Instruct-tokenizer", models);
        Assert.Equal(InferenceApiFixture.Chat, (await client.GetOpenAIModelClient().GetModelAsync(InferenceApiFixture.Chat)).Value.Id);
    }

    [Fact]
    public async Task MEAI_chat_client_over_the_OpenAI_provider_works_streaming_and_not()
    {
        IChatClient chat = fixture.CreateOpenAIClient().GetChatClient(InferenceApiFixture.Chat).AsIChatClient();
        var response = await chat.GetResponseAsync("What does \"dog\" mean?", new ChatOptions { Temperature = 0 });
        Assert.Equal(DogDefinition, response.Text);
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Stop, response.FinishReason);

        var streamed = await chat.GetStreamingResponseAsync("What does \"dog\" mean?").ToChatResponseAsync();
        Assert.Equal(response.Text, streamed.Text);

        var options = new ChatOptions { Temperature = 1f, TopP = 0.9f, Seed = 1234, MaxOutputTokens = 30 };
        var first = await chat.GetResponseAsync("What does \"music\" mean?", options);
        var second = await chat.GetResponseAsync("What does \"music\" mean?", options);
        Assert.Equal(first.Text, second.Text);
    }

    [Fact]
    public async Task MEAI_embedding_generator_over_the_OpenAI_provider_works()
    {
        IEmbeddingGenerator<string, Embedding<float>> generator = fixture.CreateOpenAIClient().GetEmbeddingClient(InferenceApiFixture.Embedding).AsIEmbeddingGenerator();
        var result = await generator.GenerateAsync(["How do I reset my password?", "I forgot my password, how can I change it?", "The cat sits on the mat."]);
        var similar = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(result[0].Vector.Span, result[1].Vector.Span);
        var unrelated = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(result[1].Vector.Span, result[2].Vector.Span);
        Assert.True(similar > unrelated + 0.3f, $"{similar} vs {unrelated}");
    }

    [Fact]
    public async Task OpenAI_client_surfaces_errors_with_their_status()
    {
        var chat = fixture.CreateOpenAIClient().GetChatClient("no-such-model");
        var error = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task Raw_completions_reproduce_the_golden_raw_case()
    {
        using var http = fixture.CreateClient();
        var response = await http.PostAsync("/v1/completions", Json("""
            {"model":"wordnet-chat-1m","max_tokens":48,"prompt":"<|im_start|>user\nWhat does \"house\" mean?<|im_end|>\n<|im_start|>assistant\nhouse:"}
            """));
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.Equal(" a dwelling that serves as living quarters for one or more families.", body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("stop", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static List<ChatMessage> Messages(params ChatMessage[] messages) => [.. messages];
}
