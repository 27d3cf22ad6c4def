using System.Diagnostics.Metrics;

namespace Inference.LlamaCpp.Tests;

/// <summary>Kept key/value cells are reused by prompts that start the same way, and change nothing in the output.</summary>
public sealed class PrefixReuseTests
{
    private static readonly string[] Questions = ["What does \"dog\" mean?", "What does \"cat\" mean?", "What does \"tree\" mean?", "What does \"house\" mean?"];

    [Theory]
    [InlineData(0f)]
    [InlineData(0.8f)]
    public async Task A_multi_turn_conversation_gives_the_same_text_with_prefix_reuse_on_and_off(float temperature)
    {
        using var reusing = GgufModels.Load(GgufModels.WordnetF32);
        using var computing = GgufModels.Load(GgufModels.WordnetF32, GgufModels.Options(o => o.PrefixCache = false));
        Assert.True(reusing.Scheduler.ReusesPrefixes);
        Assert.False(computing.Scheduler.ReusesPrefixes);

        var on = await Converse(new LlamaChatClient(reusing), temperature);
        var off = await Converse(new LlamaChatClient(computing), temperature);

        Assert.Equal(off.Select(t => t.Text), on.Select(t => t.Text));
        Assert.All(off, turn => Assert.Equal(0, turn.Cached ?? 0));
        Assert.Equal(0, on[0].Cached ?? 0);
        // Each later turn's prompt starts with the whole previous prompt and answer.
        for (var turn = 1; turn < on.Count; turn++)
        {
            Assert.True(on[turn].Cached >= on[turn - 1].Prompt, $"turn {turn} reused {on[turn].Cached} of {on[turn].Prompt} tokens");
            Assert.Equal(off[turn].Prompt, on[turn].Prompt);
        }
    }

    [Fact]
    public async Task Reuse_is_counted_in_the_engine_metrics()
    {
        using var model = GgufModels.Load(GgufModels.WordnetF32, id: "prefix-metrics");
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineTelemetry.MeterName && instrument.Name.StartsWith("inference.engine.prefix_cache.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (tags.ToArray().Contains(new("model", "prefix-metrics")))
            {
                lock (counts)
                {
                    counts[instrument.Name] = counts.GetValueOrDefault(instrument.Name) + value;
                }
            }
        });
        listener.Start();

        var turns = await Converse(new LlamaChatClient(model), 0f);

        Assert.Equal(turns.Count, counts["inference.engine.prefix_cache.lookups"]);
        Assert.Equal(turns.Count - 1, counts["inference.engine.prefix_cache.hits"]);
        Assert.Equal(turns.Sum(t => t.Cached ?? 0), counts["inference.engine.prefix_cache.reused_tokens"]);
    }

    [Fact]
    public async Task Kept_prefixes_are_bounded_and_their_cells_counted_exactly()
    {
        using var model = GgufModels.Load(GgufModels.WordnetF32, GgufModels.Options(o => o.PrefixCacheEntries = 2));
        var client = new LlamaChatClient(model);
        var kept = new List<(int Cells, int Cached)>();
        async Task<int> Ask(string prompt, bool raw)
        {
            var usage = (await client.GetResponseAsync(prompt, GgufModels.Greedy(raw: raw))).Usage!;
            // A finished sequence keeps the cells of every token it fed: the prompt and all it generated but the last.
            kept.Add(((int)(usage.InputTokenCount + usage.OutputTokenCount - 1)!, (int)(usage.CachedInputTokenCount ?? 0)));
            return model.Scheduler.KvCellsUsed;
        }

        var first = await Ask(Questions[0], raw: false);
        Assert.Equal(kept[0].Cells, first);

        // The second question shares the template's opening and 'What does "' with the first: those cells are shared.
        var cells = await Ask(Questions[1], raw: false);
        Assert.True(kept[1].Cached > 0);
        Assert.Equal(kept[0].Cells + kept[1].Cells - kept[1].Cached, cells);

        // Raw prompts that share nothing: each one pushes out the least recently used entry, and only two stay.
        foreach (var prompt in new[] { "dog: a", "cat: a", "tree: a" })
        {
            cells = await Ask(prompt, raw: true);
            Assert.Equal(0, kept[^1].Cached);
            Assert.Equal(2, model.Scheduler.KeptPrefixes);
            Assert.Equal(kept[^2].Cells + kept[^1].Cells, cells);
        }
    }

    /// <summary>Four turns, each sent with the whole conversation so far, as a chat client does.</summary>
    private static async Task<List<(string Text, int Prompt, int? Cached)>> Converse(LlamaChatClient client, float temperature)
    {
        var history = new List<ChatMessage>();
        var turns = new List<(string, int, int?)>();
        foreach (var question in Questions)
        {
            history.Add(new ChatMessage(ChatRole.User, question));
            var response = await client.GetResponseAsync(history, new ChatOptions { Temperature = temperature, Seed = 42, MaxOutputTokens = 40 });
            history.Add(new ChatMessage(ChatRole.Assistant, response.Text));
            turns.Add((response.Text, (int)response.Usage!.InputTokenCount!, (int?)response.Usage.CachedInputTokenCount));
        }

        return turns;
    }
}
