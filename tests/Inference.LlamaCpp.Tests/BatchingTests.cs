using System.Collections.Concurrent;

namespace Inference.LlamaCpp.Tests;

/// <summary>
/// Continuous batching: requests decoded together get exactly what each gets alone, whatever their prompts, sampling
/// and stops; requests join and leave the running batch between steps; the queue and the key/value cache are bounded.
/// </summary>
public sealed class BatchingTests
{
    private static readonly System.Text.Json.JsonElement[] Cases = [.. GgufModels.Golden.GetProperty("cases").EnumerateArray()];

    /// <summary>Eight requests with their own prompts, sampling settings, seeds and stop sequences.</summary>
    private static (List<ChatMessage> Messages, ChatOptions Options)[] EightRequests()
    {
        ChatOptions With(Action<ChatOptions> set)
        {
            var options = new ChatOptions { MaxOutputTokens = 40 };
            set(options);
            return options;
        }

        return
        [
            (GgufModels.Messages(Cases[0]), With(o => o.Temperature = 0)),
            (GgufModels.Messages(Cases[1]), With(o => (o.Temperature, o.Seed) = (0.9f, 7))),
            (GgufModels.Messages(Cases[2]), With(o => (o.Temperature, o.TopK, o.Seed) = (1f, 5, 11))),
            (GgufModels.Messages(Cases[3]), With(o => (o.Temperature, o.TopP, o.Seed) = (0.7f, 0.8f, 3))),
            (GgufModels.Messages(Cases[4]), With(o =>
            {
                (o.Temperature, o.Seed) = (1.2f, 5);
                o.AdditionalProperties = new() { [EngineChatOptions.MinP] = 0.2f };
            })),
            (GgufModels.Messages(Cases[5]), With(o =>
            {
                (o.Temperature, o.FrequencyPenalty, o.PresencePenalty) = (0, 0.5f, 0.3f);
                o.AdditionalProperties = new() { [EngineChatOptions.RepetitionPenalty] = 1.3f };
            })),
            (GgufModels.Messages(Cases[0]), With(o => (o.Temperature, o.StopSequences) = (0, ["genus Ca"]))),
            ([new ChatMessage(ChatRole.User, Cases[9].GetProperty("prompt").GetString())], With(o =>
            {
                (o.Temperature, o.Seed, o.MaxOutputTokens) = (0.8f, 99, 6);
                o.AdditionalProperties = new() { [EngineChatOptions.RawPrompt] = true };
            })),
        ];
    }

    [Fact]
    public async Task Eight_concurrent_requests_each_get_exactly_what_they_get_alone()
    {
        using var model = GgufModels.Load(GgufModels.WordnetF32);
        var client = new LlamaChatClient(model);
        var requests = EightRequests();
        var alone = new List<(string, ChatFinishReason?)>();
        foreach (var (messages, options) in requests)
        {
            alone.Add(await GgufModels.Collect(client.GetStreamingResponseAsync(messages, options)));
        }

        var mostActive = 0;
        var together = await Task.WhenAll(requests.Select(r => Task.Run(() =>
        {
            var request = client.CreateRequest(r.Messages, r.Options, CancellationToken.None, (_, _) => mostActive = Math.Max(mostActive, model.Status.ActiveSequences));
            return GgufModels.Collect(client.Run(request, CancellationToken.None));
        })));

        Assert.Equal(alone, together);
        Assert.True(mostActive >= 4, $"at most {mostActive} requests ran together");
        Assert.Equal("dog: a member of the ", together[6].Item1);
        Assert.Equal(ChatFinishReason.Stop, together[6].Item2);
        Assert.Equal(ChatFinishReason.Length, together[7].Item2);
        Assert.NotEqual(together[0].Item1, together[1].Item1);
        Assert.Equal(0, model.Status.ActiveSequences);
        Assert.Equal(0, model.Status.QueueDepth);
    }

    [Fact]
    public async Task A_request_joining_mid_flight_and_one_cancelled_mid_flight_leave_the_others_untouched_and_free_their_cells()
    {
        using var model = GgufModels.Load(GgufModels.TinyRandom, GgufModels.Options(o => o.PrefixCache = false), id: "tiny");
        var client = new LlamaChatClient(model);
        var raw = GgufModels.Greedy(120, raw: true);
        var first = await GgufModels.Collect(client.GetStreamingResponseAsync("Once upon a time", raw));
        var second = await GgufModels.Collect(client.GetStreamingResponseAsync("The capital of France", raw));
        Assert.Equal(ChatFinishReason.Length, first.Finish);

        // The first runs; after 20 of its tokens the second joins and a third starts, which is cancelled after 10.
        // Observers run on the scheduler's thread; the first one's sleep keeps it running while the others come and go
        // (longer once they are due, until all three have been seen at once, so a loaded machine cannot miss them).
        var firstTokens = 0;
        var mostActive = 0;
        var joined = new TaskCompletionSource();
        var running = Task.Run(() => GgufModels.Collect(client.Run(client.CreateRequest([new(ChatRole.User, "Once upon a time")], raw, CancellationToken.None, (_, _) =>
        {
            Thread.Sleep(firstTokens > 20 && mostActive < 3 ? 20 : 2);
            mostActive = Math.Max(mostActive, model.Status.ActiveSequences);
            if (++firstTokens == 20)
            {
                joined.TrySetResult();
            }
        }), CancellationToken.None)));
        await joined.Task;
        using var cancel = new CancellationTokenSource();
        var thirdTokens = 0;
        var cancelled = Task.Run(() => GgufModels.Collect(client.Run(client.CreateRequest([new(ChatRole.User, "Lorem ipsum dolor")], raw, cancel.Token, (_, _) =>
        {
            if (++thirdTokens == 10)
            {
                cancel.Cancel();
            }
        }), cancel.Token)));
        var joining = GgufModels.Collect(client.GetStreamingResponseAsync("The capital of France", raw));

        Assert.Equal(first, await running);
        Assert.Equal(second, await joining);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.InRange(thirdTokens, 10, 11);
        Assert.Equal(3, mostActive);
        await Eventually.HoldsAsync(() => Task.FromResult(model.Status.ActiveSequences), n => n == 0);
        Assert.Equal(0, model.Status.KvCellsUsed);
    }

    [Fact]
    public async Task A_long_prompt_is_prefilled_in_chunks_while_running_streams_keep_decoding()
    {
        using var model = GgufModels.Load(GgufModels.TinyRandom, GgufModels.Options(o => o.StepTokenBudget = 16), id: "tiny");
        var client = new LlamaChatClient(model);
        var streamed = 0;
        var started = new TaskCompletionSource();
        var running = Task.Run(() => GgufModels.Collect(client.Run(client.CreateRequest([new(ChatRole.User, "Once upon a time")], GgufModels.Greedy(200, raw: true), CancellationToken.None, (_, _) =>
        {
            Thread.Sleep(2);
            if (Interlocked.Increment(ref streamed) == 5)
            {
                started.TrySetResult();
            }
        }), CancellationToken.None)));
        await started.Task;

        var longPrompt = string.Join(' ', Enumerable.Repeat("river stone", 100));
        var atSubmit = Volatile.Read(ref streamed);
        var atFirstToken = -1;
        var request = client.CreateRequest([new(ChatRole.User, longPrompt)], GgufModels.Greedy(2, raw: true), CancellationToken.None, (_, _) =>
        {
            if (atFirstToken < 0)
            {
                atFirstToken = Volatile.Read(ref streamed);
            }
        });
        Assert.True(request.Prompt.Length >= 200, $"the long prompt has {request.Prompt.Length} tokens");
        await GgufModels.Collect(client.Run(request, CancellationToken.None));
        await running;

        // 200 prompt tokens at 16 a step take 13 steps, each of which also decoded a token of the running stream.
        Assert.True(atFirstToken - atSubmit >= request.Prompt.Length / 16 - 1, $"the running stream got {atFirstToken - atSubmit} tokens during the prefill");
    }

    [Fact]
    public async Task A_full_queue_refuses_new_requests_as_busy()
    {
        using var model = GgufModels.Load(GgufModels.TinyRandom, GgufModels.Options(o => (o.MaxSequences, o.MaxQueuedRequests) = (1, 1)), id: "tiny");
        var client = new LlamaChatClient(model);
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var running = Task.Run(() => GgufModels.Collect(client.Run(client.CreateRequest([new(ChatRole.User, "Once")], GgufModels.Greedy(3000, raw: true), stop.Token, (_, _) =>
        {
            Thread.Sleep(2);
            started.TrySetResult();
        }), stop.Token)));
        await started.Task;
        var waiting = Task.Run(() => GgufModels.Collect(client.GetStreamingResponseAsync("Twice", GgufModels.Greedy(5, raw: true))));
        await Eventually.HoldsAsync(() => Task.FromResult(model.Status.QueueDepth), n => n == 1);

        await Assert.ThrowsAsync<ModelBusyException>(() => GgufModels.Collect(client.GetStreamingResponseAsync("Thrice", GgufModels.Greedy(5, raw: true))));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(ChatFinishReason.Length, (await waiting).Finish);
    }

    [Fact]
    public async Task When_the_cache_cannot_hold_another_worst_case_the_request_waits_and_both_come_out_right()
    {
        // One window of cells: a second request's prompt plus its max_tokens cannot fit beside the first's.
        using var model = GgufModels.Load(GgufModels.WordnetF32, GgufModels.Options(o => o.KvCacheSize = 256));
        var client = new LlamaChatClient(model);
        var (dogMessages, dogOptions) = GgufModels.Case(Cases[0], maxTokens: 200);
        var (catMessages, catOptions) = GgufModels.Case(Cases[1], maxTokens: 100);
        var active = new ConcurrentBag<int>();
        var order = new ConcurrentQueue<string>();
        var dog = client.CreateRequest(dogMessages, dogOptions, CancellationToken.None, (_, _) => { active.Add(model.Status.ActiveSequences); order.Enqueue("dog"); });
        var cat = client.CreateRequest(catMessages, catOptions, CancellationToken.None, (_, _) => { active.Add(model.Status.ActiveSequences); order.Enqueue("cat"); });

        var answers = await Task.WhenAll(GgufModels.Collect(client.Run(dog, CancellationToken.None)), GgufModels.Collect(client.Run(cat, CancellationToken.None)));

        Assert.Equal(Cases[0].GetProperty("text").GetString(), answers[0].Text);
        Assert.Equal(Cases[1].GetProperty("text").GetString(), answers[1].Text);
        Assert.Equal(1, active.Max());
        Assert.Equal(["dog", "cat"], order.Distinct());
    }

    [Fact]
    public async Task Sampling_is_seeded_and_its_limits_behave_as_their_definitions_say()
    {
        using var model = GgufModels.Load(GgufModels.TinyRandom, GgufModels.Options(o => o.PrefixCache = false), id: "tiny");
        var client = new LlamaChatClient(model);
        async Task<string> Sample(Action<ChatOptions> set)
        {
            var options = GgufModels.Greedy(30, raw: true);
            (options.Temperature, options.Seed) = (1.5f, 3);
            set(options);
            return (await client.GetResponseAsync("Once upon a time", options)).Text;
        }

        var greedy = (await client.GetResponseAsync("Once upon a time", GgufModels.Greedy(30, raw: true))).Text;
        Assert.Equal(greedy, await Sample(o => o.TopK = 1));
        Assert.Equal(greedy, await Sample(o => o.AdditionalProperties![EngineChatOptions.MinP] = 1f));
        Assert.Equal(await Sample(_ => { }), await Sample(_ => { }));
        Assert.NotEqual(await Sample(_ => { }), await Sample(o => o.Seed = 4));
        Assert.NotEqual(greedy, await Sample(_ => { }));

        // This random model repeats itself under greedy decoding; each penalty, on its own, changes what it says.
        async Task<string> Penalized(Action<ChatOptions> set)
        {
            var options = GgufModels.Greedy(30, raw: true);
            set(options);
            return (await client.GetResponseAsync("Once upon a time", options)).Text;
        }

        Assert.NotEqual(greedy, await Penalized(o => o.AdditionalProperties![EngineChatOptions.RepetitionPenalty] = 1.5f));
        Assert.NotEqual(greedy, await Penalized(o => o.FrequencyPenalty = 1.5f));
        Assert.NotEqual(greedy, await Penalized(o => o.PresencePenalty = 1.5f));
    }

    [Fact]
    public async Task Prompts_too_long_for_a_sequence_are_refused_before_they_are_queued()
    {
        using var model = GgufModels.Load(GgufModels.WordnetF32);
        var client = new LlamaChatClient(model);
        var tooLong = string.Concat(Enumerable.Repeat("dog ", 300));
        var error = await Assert.ThrowsAsync<ContextWindowExceededException>(() => client.GetResponseAsync(tooLong, GgufModels.Greedy(raw: true)));
        Assert.Equal(256, error.ContextLength);
        var withCompletion = await Assert.ThrowsAsync<ContextWindowExceededException>(() => client.GetResponseAsync("What does \"dog\" mean?", GgufModels.Greedy(250)));
        Assert.Equal(16, withCompletion.PromptTokens);
        Assert.Equal(0, model.Status.QueueDepth);
    }
}
