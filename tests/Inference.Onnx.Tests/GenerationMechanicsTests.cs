using Inference.Onnx.Chat;
using Inference.Onnx.Generation;
using Microsoft.Extensions.AI;

namespace Inference.Onnx.Tests;

/// <summary>KV cache, sampling, stops, limits, streaming and cancellation on the tiny GPT-2 (past_N cache layout).</summary>
public sealed class GenerationMechanicsTests(TinyGpt2Fixture fixture) : IClassFixture<TinyGpt2Fixture>
{
    private static readonly ChatOptions Raw = new() { AdditionalProperties = new() { [EngineChatOptions.RawPrompt] = true } };

    [Fact]
    public void Gpt2_cache_layout_is_discovered_from_the_graph()
    {
        var cache = fixture.Model.Generator.Model.Cache;
        Assert.Equal(KvCacheStyle.Combined, cache.Style);
        Assert.Equal(5, cache.Layers);
        Assert.Equal(4, cache.KvHeads);
        Assert.Equal(8, cache.HeadSize);
        Assert.Equal(1000, fixture.Model.Generator.Model.VocabSize);
    }

    [Theory]
    [InlineData(TestModels.TinyGpt2)]
    [InlineData(TestModels.WordnetChat)]
    public void Cached_step_logits_equal_a_full_recompute(string modelName)
    {
        using var model = LocalChatModel.Load(modelName, TestModels.Folder(modelName), TestModels.Options);
        var decoder = model.Generator.Model;
        var vocab = decoder.VocabSize;
        var prompt = model.Tokenizer.Encode(modelName == TestModels.TinyGpt2 ? TinyGpt2Fixture.Prompt : "What does \"tree\" mean?");

        var tokens = new List<int>(prompt);
        var stepwise = new List<float[]>();
        using (var sequence = decoder.StartSequence())
        {
            var logits = sequence.Append(prompt).ToArray();
            for (var i = 0; i < 12; i++)
            {
                stepwise.Add(logits);
                var next = WordnetGoldenTests.ArgMax(logits);
                tokens.Add(next);
                logits = sequence.Append([next]).ToArray();
            }
        }

        using var full = decoder.StartSequence();
        var all = full.AppendAll(tokens.ToArray()).ToArray();
        for (var i = 0; i < stepwise.Count; i++)
        {
            var row = all.AsSpan((prompt.Length - 1 + i) * vocab, vocab);
            for (var v = 0; v < vocab; v++)
            {
                Assert.True(Math.Abs(row[v] - stepwise[i][v]) < 1e-4f, $"step {i}, token {v}: {row[v]} vs {stepwise[i][v]}");
            }
        }
    }

    [Fact]
    public async Task Greedy_output_is_deterministic()
    {
        using var client = new OnnxChatClient(fixture.Model);
        var options = Options(o => { o.Temperature = 0; o.MaxOutputTokens = 40; });
        var first = await client.GetResponseAsync(TinyGpt2Fixture.Prompt, options);
        var second = await client.GetResponseAsync(TinyGpt2Fixture.Prompt, options);
        Assert.NotEmpty(first.Text);
        Assert.Equal(first.Text, second.Text);
    }

    [Fact]
    public async Task The_same_seed_reproduces_sampled_output_and_another_seed_does_not()
    {
        using var client = new OnnxChatClient(fixture.Model);
        async Task<string> Sample(long seed) => (await client.GetResponseAsync(
            TinyGpt2Fixture.Prompt,
            Options(o => { o.Temperature = 1.2f; o.TopP = 0.95f; o.TopK = 200; o.Seed = seed; o.MaxOutputTokens = 40; }))).Text;

        var a = await Sample(42);
        Assert.Equal(a, await Sample(42));
        Assert.NotEqual(a, await Sample(7));
    }

    [Fact]
    public async Task Top_k_of_one_is_greedy()
    {
        using var client = new OnnxChatClient(fixture.Model);
        var greedy = await client.GetResponseAsync(TinyGpt2Fixture.Prompt, Options(o => { o.Temperature = 0; o.MaxOutputTokens = 30; }));
        var topOne = await client.GetResponseAsync(TinyGpt2Fixture.Prompt, Options(o => { o.Temperature = 1; o.TopK = 1; o.Seed = 3; o.MaxOutputTokens = 30; }));
        Assert.Equal(greedy.Text, topOne.Text);
    }

    [Fact]
    public async Task Min_p_of_one_keeps_only_the_most_likely_token_and_a_low_one_still_samples()
    {
        using var client = new OnnxChatClient(fixture.Model);
        ChatOptions MinP(float minP, long seed) => Options(o =>
        {
            (o.Temperature, o.Seed, o.MaxOutputTokens) = (1.5f, seed, 30);
            o.AdditionalProperties![EngineChatOptions.MinP] = minP;
        });

        var greedy = await client.GetResponseAsync(TinyGpt2Fixture.Prompt, Options(o => { o.Temperature = 0; o.MaxOutputTokens = 30; }));
        Assert.Equal(greedy.Text, (await client.GetResponseAsync(TinyGpt2Fixture.Prompt, MinP(1f, 3))).Text);
        Assert.Equal(greedy.Text, (await client.GetResponseAsync(TinyGpt2Fixture.Prompt, MinP(1f, 4))).Text);
        Assert.NotEqual(greedy.Text, (await client.GetResponseAsync(TinyGpt2Fixture.Prompt, MinP(0.01f, 3))).Text);
    }

    [Fact]
    public async Task Max_tokens_is_respected_with_finish_reason_length()
    {
        using var client = new OnnxChatClient(fixture.Model);
        var response = await client.GetResponseAsync(TinyGpt2Fixture.Prompt, Options(o => { o.Temperature = 0; o.MaxOutputTokens = 7; }));
        Assert.Equal(7, response.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(5, response.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task A_stop_sequence_spanning_tokens_cuts_exactly_before_it()
    {
        using var client = new OnnxChatClient(fixture.Model);
        var pieces = new List<string>();
        await foreach (var update in client.GetStreamingResponseAsync(TinyGpt2Fixture.Prompt, Options(o => { o.Temperature = 0; o.MaxOutputTokens = 60; })))
        {
            if (update.Text.Length > 0)
            {
                pieces.Add(update.Text);
            }
        }

        var full = string.Concat(pieces);
        // A stop string made of the end of one streamed piece and the start of the next: it spans a token boundary.
        var boundary = Enumerable.Range(3, pieces.Count - 4).First(i => pieces[i].Length >= 2 && pieces[i + 1].Length >= 1);
        var stop = pieces[boundary][^2..] + pieces[boundary + 1][..1];
        var expected = full[..full.IndexOf(stop, StringComparison.Ordinal)];

        var stopped = await client.GetResponseAsync(TinyGpt2Fixture.Prompt, Options(o => { o.Temperature = 0; o.MaxOutputTokens = 60; o.StopSequences = [stop]; }));
        Assert.Equal(expected, stopped.Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
    }

    [Fact]
    public async Task Streaming_concatenation_equals_the_non_streaming_text()
    {
        using var client = new OnnxChatClient(fixture.Model);
        var options = Options(o => { o.Temperature = 0.8f; o.Seed = 11; o.MaxOutputTokens = 50; });
        var whole = await client.GetResponseAsync(TinyGpt2Fixture.Prompt, options);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(TinyGpt2Fixture.Prompt, options))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count(u => u.Text.Length > 0) > 1);
        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
        Assert.Contains(updates[^1].Contents, c => c is UsageContent);
    }

    [Fact]
    public async Task Cancellation_stops_a_long_generation_within_a_token_step()
    {
        using var client = new OnnxChatClient(fixture.Model);
        using var cts = new CancellationTokenSource();
        var received = 0;
        var afterCancel = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(TinyGpt2Fixture.Prompt, Options(o => { o.Temperature = 0; o.MaxOutputTokens = 500; }), cts.Token))
            {
                if (cts.IsCancellationRequested)
                {
                    afterCancel++;
                }

                if (++received == 3)
                {
                    cts.Cancel();
                }
            }
        });

        Assert.Equal(3, received);
        Assert.Equal(0, afterCancel);
        Assert.Equal(0, fixture.Model.Queue.Running);
    }

    [Fact]
    public async Task Prompt_tokens_outside_the_vocabulary_are_rejected_before_running()
    {
        using var client = new OnnxChatClient(fixture.Model);
        var error = await Assert.ThrowsAsync<InvalidPromptException>(() => client.GetResponseAsync("Hello world", Raw));
        Assert.Contains("outside this model's vocabulary of 1000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prompt_plus_max_tokens_beyond_the_context_is_rejected_with_the_counts()
    {
        using var client = new OnnxChatClient(fixture.Model);
        var error = await Assert.ThrowsAsync<ContextWindowExceededException>(
            () => client.GetResponseAsync(TinyGpt2Fixture.Prompt, Options(o => o.MaxOutputTokens = 510)));
        Assert.Equal(512, error.ContextLength);
        Assert.Equal(515, error.RequestedTokens);
        Assert.Contains("5 in the prompt, 510 for the completion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_without_a_chat_template_refuses_chat_but_serves_raw_prompts()
    {
        using var client = new OnnxChatClient(fixture.Model);
        await Assert.ThrowsAsync<InvalidPromptException>(() => client.GetResponseAsync("hi"));
        var raw = await client.GetResponseAsync(TinyGpt2Fixture.Prompt, Options(o => o.MaxOutputTokens = 3));
        Assert.Equal(3, raw.Usage?.OutputTokenCount);
    }

    private static ChatOptions Options(Action<ChatOptions> configure)
    {
        var options = Raw.Clone();
        configure(options);
        return options;
    }
}
