using System.Numerics.Tensors;
using System.Text.Json;
using Inference.LlamaCpp.Scheduling;

namespace Inference.LlamaCpp.Tests;

/// <summary>llama.cpp through the engine reproduces the reference's tokens, greedy tokens and logits (golden.json) with the F32 file.</summary>
public sealed class WordnetGgufGoldenTests(WordnetGgufFixture fixture) : IClassFixture<WordnetGgufFixture>
{
    private const float LogitTolerance = 1e-2f;
    private static readonly JsonElement Golden = GgufModels.Golden;

    public static TheoryData<int> CaseIndexes() => [.. Enumerable.Range(0, Golden.GetProperty("cases").GetArrayLength())];

    [Fact]
    public void Tokenizer_reproduces_every_golden_tokenizer_case()
    {
        foreach (var tc in Golden.GetProperty("tokenizer_cases").EnumerateArray())
        {
            Assert.Equal(GgufModels.Ids(tc.GetProperty("ids")), fixture.Model.Vocabulary.Tokenize(tc.GetProperty("text").GetString()!));
        }
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void The_models_own_template_renders_each_chat_case_exactly(int index)
    {
        var c = Golden.GetProperty("cases")[index];
        if (c.GetProperty("kind").GetString() == "chat")
        {
            Assert.Equal(c.GetProperty("prompt").GetString(), fixture.Model.Format!.Render("w", [.. GgufModels.Messages(c)], [], null).Text);
        }

        Assert.Equal(GgufModels.Ids(c.GetProperty("prompt_ids")), fixture.Model.Vocabulary.Tokenize(c.GetProperty("prompt").GetString()!));
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public async Task Greedy_decoding_reproduces_golden_tokens_and_logits(int index)
    {
        var c = Golden.GetProperty("cases")[index];
        var (messages, options) = GgufModels.Case(c, maxTokens: 48);
        var chosen = new List<(int Token, float Logit)>();
        var client = fixture.Client;
        var request = client.CreateRequest(messages, options, CancellationToken.None, (token, logits) => chosen.Add((token, logits[token])));
        Assert.Equal(GgufModels.Ids(c.GetProperty("prompt_ids")), request.Prompt);

        var response = await client.Run(request, CancellationToken.None).ToChatResponseAsync();

        var expectedLogits = c.GetProperty("chosen_logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(GgufModels.Ids(c.GetProperty("generated_ids")), chosen.Select(x => x.Token));
        for (var i = 0; i < expectedLogits.Length; i++)
        {
            Assert.InRange(chosen[i].Logit, expectedLogits[i] - LogitTolerance, expectedLogits[i] + LogitTolerance);
        }

        Assert.Equal(c.GetProperty("text").GetString(), response.Text);
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public async Task The_chat_client_answers_with_the_golden_text_finish_and_usage(int index)
    {
        var c = Golden.GetProperty("cases")[index];
        var (messages, options) = GgufModels.Case(c);
        var response = await fixture.Client.GetResponseAsync(messages, options);
        Assert.Equal(c.GetProperty("text").GetString(), response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(c.GetProperty("prompt_ids").GetArrayLength(), response.Usage?.InputTokenCount);
        Assert.Equal(c.GetProperty("generated_ids").GetArrayLength(), response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task First_step_top5_logits_match()
    {
        var top5 = Golden.GetProperty("top5_first_step");
        var c = Golden.GetProperty("cases")[top5.GetProperty("case").GetInt32()];
        float[]? first = null;
        var client = fixture.Client;
        var request = client.CreateRequest(GgufModels.Messages(c), GgufModels.Greedy(1), CancellationToken.None, (_, logits) => first ??= logits.ToArray());
        await client.Run(request, CancellationToken.None).ToChatResponseAsync();

        var order = Enumerable.Range(0, first!.Length).OrderByDescending(i => first[i]).Take(5).ToArray();
        var expected = top5.GetProperty("tokens").EnumerateArray().ToArray();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(expected[i].GetProperty("id").GetInt32(), order[i]);
            Assert.InRange(first[order[i]], expected[i].GetProperty("logit").GetSingle() - LogitTolerance, expected[i].GetProperty("logit").GetSingle() + LogitTolerance);
        }

        Assert.Equal(order[0], TensorPrimitives.IndexOfMax(first));
    }

    [Fact]
    public async Task Streaming_gives_one_update_per_piece_with_stable_ids_then_finish_and_usage()
    {
        var updates = await fixture.Client.GetStreamingResponseAsync("What does \"dog\" mean?", GgufModels.Greedy()).ToListAsync();
        Assert.True(updates.Count > 10);
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        Assert.Single(updates.Select(u => u.MessageId).Distinct());
        Assert.All(updates[..^1], u => Assert.Null(u.FinishReason));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Equal("dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public void The_template_is_the_models_own_jinja_template()
    {
        var format = Assert.IsType<Inference.Engines.Templates.JinjaChatFormat>(fixture.Model.Format);
        Assert.Equal("gguf", fixture.Model.ChatTemplate);
        Assert.Contains("<|im_start|>", format.Template, StringComparison.Ordinal);
    }

    [Fact]
    public void Capabilities_come_from_the_gguf_metadata()
    {
        var file = fixture.Model.File;
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(984_192, file.ParameterCount);
        Assert.Equal("F32", file.Quantization);
        Assert.Equal(256, file.ContextLength);
        Assert.Equal(128, file.EmbeddingLength);
        Assert.Equal(256, fixture.Model.ContextLength);
        Assert.Contains("<|im_start|>", file.ChatTemplate, StringComparison.Ordinal);
    }
}
