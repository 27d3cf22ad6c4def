using System.Text;
using System.Text.Json;
using Inference.Onnx.Chat;
using Microsoft.Extensions.AI;

namespace Inference.Onnx.Tests;

/// <summary>
/// Concurrent requests on one model share decode steps, and each sequence's text is what it would be alone: the golden
/// reference's greedy text for the trained model, the unbatched engine's for everything else.
/// </summary>
public sealed class DecodeBatchTests : IDisposable
{
    private static readonly JsonElement Golden = TestModels.Json(TestModels.WordnetChat, "golden.json");
    private readonly LocalChatModel _batched = Load(TestModels.WordnetChat, batch: 8);
    private readonly LocalChatModel _alone = Load(TestModels.WordnetChat, batch: 1);

    [Fact]
    public async Task Every_golden_case_run_at_once_gets_its_golden_text_and_counts()
    {
        using var client = new OnnxChatClient(_batched);
        var cases = Golden.GetProperty("cases").EnumerateArray().ToList();
        var answers = await Task.WhenAll(cases.Select(c => Task.Run(() => client.GetResponseAsync(Messages(c), OptionsOf(c)))));

        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i].GetProperty("text").GetString(), answers[i].Text);
            Assert.Equal(ChatFinishReason.Stop, answers[i].FinishReason);
            Assert.Equal(cases[i].GetProperty("prompt_ids").GetArrayLength(), answers[i].Usage?.InputTokenCount);
            Assert.Equal(cases[i].GetProperty("generated_ids").GetArrayLength(), answers[i].Usage?.OutputTokenCount);
        }

        Assert.True(_batched.Batch!.LargestBatch >= 2, $"the requests never shared a step (largest batch {_batched.Batch.LargestBatch})");
        Assert.Equal(0, _batched.Queue.Running);
    }

    [Fact]
    public async Task Sequences_with_different_stop_conditions_finish_on_their_own_with_the_text_they_have_alone()
    {
        using var batched = new OnnxChatClient(_batched);
        using var alone = new OnnxChatClient(_alone);
        var prompts = new (string Prompt, ChatOptions Options)[]
        {
            ("What does \"dog\" mean?", new ChatOptions { MaxOutputTokens = 4 }),
            ("What does \"tree\" mean?", new ChatOptions { StopSequences = ["woody"] }),
            ("What does \"music\" mean?", new ChatOptions()),
            ("What does \"cat\" mean?", new ChatOptions { Temperature = 0.9f, Seed = 7, MaxOutputTokens = 30 }),
            ("Use \"dog\" in a sentence.", new ChatOptions { MaxOutputTokens = 1 }),
        };

        var expected = new List<ChatResponse>();
        foreach (var (prompt, options) in prompts)
        {
            expected.Add(await alone.GetResponseAsync(prompt, options.Clone()));
        }

        var together = await Task.WhenAll(prompts.Select(p => Task.Run(() => batched.GetResponseAsync(p.Prompt, p.Options.Clone()))));

        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(expected[i].Text, together[i].Text);
            Assert.Equal(expected[i].FinishReason, together[i].FinishReason);
            Assert.Equal(expected[i].Usage?.OutputTokenCount, together[i].Usage?.OutputTokenCount);
        }

        Assert.Equal(ChatFinishReason.Length, together[0].FinishReason);
        Assert.Equal(4, together[0].Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, together[1].FinishReason);
        Assert.DoesNotContain("woody", together[1].Text, StringComparison.Ordinal);
        Assert.Equal(1, together[4].Usage?.OutputTokenCount);
        Assert.True(_batched.Batch!.LargestBatch >= 2);
    }

    [Fact]
    public async Task A_sequence_joining_mid_generation_and_one_cancelled_leave_the_others_text_unchanged()
    {
        using var batched = new OnnxChatClient(_batched);
        using var alone = new OnnxChatClient(_alone);
        var raw = new ChatOptions { AdditionalProperties = new() { [EngineChatOptions.RawPrompt] = true, [EngineChatOptions.IgnoreEos] = true }, MaxOutputTokens = 240 };
        var first = "the dog";
        var second = "a cat";
        var expectedFirst = (await alone.GetResponseAsync(first, raw.Clone())).Text;
        var expectedSecond = (await alone.GetResponseAsync(second, raw.Clone())).Text;

        using var cancel = new CancellationTokenSource();
        var cancelledChunks = 0;
        Task<string>? joined = null;
        Task? cancelled = null;
        var steps = 0;
        _batched.Batch!.AfterStep = rows =>
        {
            if (++steps != 5)
            {
                return;
            }

            // Five steps into the first sequence the loop waits here until two more are waiting to join it.
            joined = Task.Run(async () => (await batched.GetResponseAsync(second, raw.Clone())).Text);
            cancelled = Task.Run(async () =>
            {
                await foreach (var _ in batched.GetStreamingResponseAsync(second, raw.Clone(), cancel.Token))
                {
                    if (++cancelledChunks == 3)
                    {
                        await cancel.CancelAsync();
                    }
                }
            });
            Assert.True(SpinWait.SpinUntil(() => _batched.Batch.Joining == 2, TimeSpan.FromSeconds(30)));
        };

        var text = new StringBuilder();
        await foreach (var update in batched.GetStreamingResponseAsync(first, raw.Clone()))
        {
            text.Append(update.Text);
        }

        Assert.Equal(expectedFirst, text.ToString());
        Assert.Equal(expectedSecond, await joined!);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled!);
        Assert.Equal(3, cancelledChunks);
        Assert.Equal(3, _batched.Batch.LargestBatch);
        await Eventually(() => _batched.Queue.Running == 0);
    }

    [Fact]
    public async Task A_gpt2_cache_layout_batches_with_the_same_greedy_text()
    {
        using var batchedModel = Load(TestModels.TinyGpt2, batch: 4);
        using var aloneModel = Load(TestModels.TinyGpt2, batch: 1);
        Assert.NotNull(batchedModel.Batch);
        Assert.Null(aloneModel.Batch);
        using var batched = new OnnxChatClient(batchedModel);
        using var alone = new OnnxChatClient(aloneModel);
        var prompts = new[] { " the", " the and of", TinyGpt2Fixture.Prompt, " of to" };
        var options = new ChatOptions { AdditionalProperties = new() { [EngineChatOptions.RawPrompt] = true }, Temperature = 0, MaxOutputTokens = 24 };
        var expected = new List<string>();
        foreach (var prompt in prompts)
        {
            expected.Add((await alone.GetResponseAsync(prompt, options.Clone())).Text);
        }

        var together = await Task.WhenAll(prompts.Select(p => Task.Run(async () => (await batched.GetResponseAsync(p, options.Clone())).Text)));
        Assert.Equal(expected, together);
        Assert.True(batchedModel.Batch!.LargestBatch >= 2);
    }

    [Fact]
    public async Task A_fault_in_a_step_fails_the_sequences_in_it_and_the_next_request_is_served()
    {
        using var client = new OnnxChatClient(_batched);
        var options = new ChatOptions { MaxOutputTokens = 20 };
        var expected = (await client.GetResponseAsync("What does \"dog\" mean?", options.Clone())).Text;
        _batched.Batch!.AfterStep = _ => throw new InvalidOperationException("step fault");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("What does \"dog\" mean?", options.Clone()));
        Assert.Equal("step fault", error.Message);

        _batched.Batch.AfterStep = null;
        Assert.Equal(expected, (await client.GetResponseAsync("What does \"dog\" mean?", options.Clone())).Text);
        Assert.Equal(0, _batched.Queue.Running);
    }

    [Fact]
    public void A_batch_size_of_one_decodes_each_request_on_its_own()
    {
        Assert.Null(_alone.Batch);
        Assert.NotNull(_batched.Batch);
        Assert.Equal(8, ((Inference.Engines.IModelRuntimeStatus)_batched.Queue).MaxSequences);
    }

    private static LocalChatModel Load(string model, int batch) =>
        LocalChatModel.Load(model, TestModels.Folder(model), new OnnxEngineOptions { IntraOpThreads = 1, ChatBatchSize = batch, MaxConcurrentRequests = 1 });

    private static List<ChatMessage> Messages(JsonElement c) => c.GetProperty("kind").GetString() == "chat"
        ? [.. c.GetProperty("messages").EnumerateArray().Select(m => new ChatMessage(new ChatRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString()))]
        : [new ChatMessage(ChatRole.User, c.GetProperty("prompt").GetString())];

    private static ChatOptions? OptionsOf(JsonElement c) => c.GetProperty("kind").GetString() == "chat"
        ? null
        : new ChatOptions { AdditionalProperties = new() { [EngineChatOptions.RawPrompt] = true } };

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }

    public void Dispose()
    {
        _batched.Dispose();
        _alone.Dispose();
    }
}
