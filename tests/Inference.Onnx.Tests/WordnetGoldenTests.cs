using System.Text.Json;
using Inference.Onnx.Chat;
using Inference.Onnx.Templates;
using Microsoft.Extensions.AI;

namespace Inference.Onnx.Tests;

/// <summary>The engine reproduces the reference implementation's greedy tokens and logits (golden.json).</summary>
public sealed class WordnetGoldenTests(WordnetFixture fixture) : IClassFixture<WordnetFixture>
{
    private const float LogitTolerance = 1e-4f;
    private static readonly JsonElement Golden = TestModels.Json(TestModels.WordnetChat, "golden.json");

    public static TheoryData<int> CaseIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Golden.GetProperty("cases").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void Tokenizer_reproduces_every_golden_tokenizer_case()
    {
        foreach (var tc in Golden.GetProperty("tokenizer_cases").EnumerateArray())
        {
            var text = tc.GetProperty("text").GetString()!;
            var expected = tc.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(expected, fixture.Model.Tokenizer.Encode(text));
        }
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void Prompt_ids_match_the_rendered_template(int index)
    {
        var c = Golden.GetProperty("cases")[index];
        var expected = Ids(c.GetProperty("prompt_ids"));
        if (c.GetProperty("kind").GetString() == "chat")
        {
            var messages = c.GetProperty("messages").EnumerateArray()
                .Select(m => new ChatMessage(new ChatRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString()!)).ToList();
            var rendered = fixture.Model.Format!.Render("w", messages, [], null).Text;
            Assert.Equal(c.GetProperty("prompt").GetString(), rendered);
        }

        Assert.Equal(expected, fixture.Model.Tokenizer.Encode(c.GetProperty("prompt").GetString()!));
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void Cached_greedy_steps_reproduce_golden_tokens_and_logits(int index)
    {
        var c = Golden.GetProperty("cases")[index];
        var promptIds = Ids(c.GetProperty("prompt_ids"));
        var expectedIds = Ids(c.GetProperty("generated_ids"));
        var expectedLogits = c.GetProperty("chosen_logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();

        using var sequence = fixture.Model.Generator.Model.StartSequence();
        var logits = sequence.Append(promptIds).ToArray();
        for (var step = 0; step < expectedIds.Length; step++)
        {
            var chosen = ArgMax(logits);
            Assert.Equal(expectedIds[step], chosen);
            Assert.InRange(logits[chosen], expectedLogits[step] - LogitTolerance, expectedLogits[step] + LogitTolerance);
            if (step + 1 < expectedIds.Length)
            {
                logits = sequence.Append([chosen]).ToArray();
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public async Task Chat_client_answers_with_the_golden_text(int index)
    {
        var c = Golden.GetProperty("cases")[index];
        using var client = new OnnxChatClient(fixture.Model);
        ChatResponse response;
        if (c.GetProperty("kind").GetString() == "chat")
        {
            var messages = c.GetProperty("messages").EnumerateArray()
                .Select(m => new ChatMessage(new ChatRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString()));
            response = await client.GetResponseAsync(messages.ToList());
        }
        else
        {
            var options = new ChatOptions { AdditionalProperties = new() { [EngineChatOptions.RawPrompt] = true } };
            response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, c.GetProperty("prompt").GetString())], options);
        }

        Assert.Equal(c.GetProperty("text").GetString(), response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(c.GetProperty("prompt_ids").GetArrayLength(), response.Usage?.InputTokenCount);
        Assert.Equal(c.GetProperty("generated_ids").GetArrayLength(), response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task A_simple_factual_question_gets_the_dictionary_definition()
    {
        using var client = new OnnxChatClient(fixture.Model);
        var response = await client.GetResponseAsync("What does \"dog\" mean?");
        Assert.StartsWith("dog: a member of the genus Canis", response.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Concurrent_requests_on_one_model_each_get_their_own_answer(int concurrency)
    {
        using var model = LocalChatModel.Load(TestModels.WordnetChat, TestModels.Folder(TestModels.WordnetChat), new OnnxEngineOptions { IntraOpThreads = 1, MaxConcurrentRequests = concurrency });
        using var client = new OnnxChatClient(model);
        var chats = Golden.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("kind").GetString() == "chat").ToList();
        var answers = await Task.WhenAll(Enumerable.Range(0, 3).SelectMany(_ => chats).Select(c => Task.Run(async () =>
        {
            var messages = c.GetProperty("messages").EnumerateArray()
                .Select(m => new ChatMessage(new ChatRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString())).ToList();
            return (Expected: c.GetProperty("text").GetString(), Actual: (await client.GetResponseAsync(messages)).Text);
        })));
        Assert.All(answers, a => Assert.Equal(a.Expected, a.Actual));
        Assert.Equal(0, model.Queue.Depth);
    }

    [Fact]
    public void First_step_top5_logits_match()
    {
        var top5 = Golden.GetProperty("top5_first_step");
        var c = Golden.GetProperty("cases")[top5.GetProperty("case").GetInt32()];
        using var sequence = fixture.Model.Generator.Model.StartSequence();
        var logits = sequence.Append(Ids(c.GetProperty("prompt_ids"))).ToArray();
        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(5).ToArray();
        var expected = top5.GetProperty("tokens").EnumerateArray().ToArray();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(expected[i].GetProperty("id").GetInt32(), order[i]);
            Assert.InRange(logits[order[i]], expected[i].GetProperty("logit").GetSingle() - LogitTolerance, expected[i].GetProperty("logit").GetSingle() + LogitTolerance);
        }
    }

    [Fact]
    public void Sixty_tokens_from_bos_match()
    {
        var fromBos = Golden.GetProperty("from_bos");
        var expected = Ids(fromBos.GetProperty("generated_ids"));
        using var sequence = fixture.Model.Generator.Model.StartSequence();
        var logits = sequence.Append(Ids(fromBos.GetProperty("prompt_ids"))).ToArray();
        var produced = new List<int>();
        while (produced.Count < expected.Length)
        {
            var next = ArgMax(logits);
            produced.Add(next);
            logits = sequence.Append([next]).ToArray();
        }

        Assert.Equal(expected, produced);
        Assert.Equal(fromBos.GetProperty("text").GetString(), DecodeWithSpecials(produced));
    }

    [Fact]
    public void The_template_is_the_models_own_from_its_tokenizer_config()
    {
        var format = Assert.IsType<JinjaChatFormat>(fixture.Model.Format);
        Assert.Equal("tokenizer_config.json", format.Name);
        Assert.Equal(["<|im_end|>"], format.Stop);
    }

    private string DecodeWithSpecials(List<int> ids)
    {
        var specials = fixture.Model.Tokenizer.SpecialTokens.ToDictionary(p => p.Value, p => p.Key);
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        foreach (var id in ids)
        {
            if (specials.TryGetValue(id, out var special))
            {
                text.Append(fixture.Model.Tokenizer.Decode(run.ToArray())).Append(special);
                run.Clear();
            }
            else
            {
                run.Add(id);
            }
        }

        return text.Append(fixture.Model.Tokenizer.Decode(run.ToArray())).ToString();
    }

    internal static int[] Ids(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    internal static int ArgMax(float[] values) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);
}
