using Inference.Engines;
using Microsoft.Extensions.AI;

namespace InferenceAspire.TestSupport;

/// <summary>
/// A reasoning budget on a real engine with random weights: a template whose generation prompt opens a think block
/// (as DeepSeek-R1's does), and an answer held to a grammar. Random weights never close the block themselves; with a
/// budget the engine closes it and the model answers; without one the reasoning runs to the length limit.
/// </summary>
public static class ReasoningBudgetScenario
{
    /// <summary>ChatML whose generation prompt opens a think block.</summary>
    public const string Template =
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n<think>\n{% endif %}";

    public static ChatOptions Options(int? budget) => new()
    {
        Temperature = 0.8f,
        Seed = 7,
        MaxOutputTokens = 60,
        AdditionalProperties = budget is int b
            ? new() { [EngineChatOptions.Grammar] = "root ::= \"Yes.\"", [EngineChatOptions.ReasoningBudget] = b }
            : new() { [EngineChatOptions.Grammar] = "root ::= \"Yes.\"" },
    };

    /// <summary>Runs the scenario on <paramref name="client"/> and checks what a budget does.</summary>
    public static async Task AssertAsync(IChatClient client, Func<string, int> countTokens)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(countTokens);
        var budgeted = await client.GetResponseAsync("Is it?", Options(5));
        var reasoning = string.Concat(budgeted.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Xunit.Assert.Equal("Yes.", budgeted.Text);
        Xunit.Assert.Equal(ChatFinishReason.Stop, budgeted.FinishReason);
        Xunit.Assert.NotEmpty(reasoning);

        // Five tokens of reasoning (written out again they may tokenize a little differently), where the free run's
        // reasoning fills the length limit.
        Xunit.Assert.InRange(countTokens(reasoning), 1, 8);

        var free = await client.GetResponseAsync("Is it?", Options(null));
        Xunit.Assert.Equal(ChatFinishReason.Length, free.FinishReason);
        Xunit.Assert.Equal("", free.Text);
        Xunit.Assert.True(countTokens(string.Concat(free.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text))) >= 40);

        // A budget of 0: the block is closed at once.
        var none = await client.GetResponseAsync("Is it?", Options(0));
        Xunit.Assert.Equal("Yes.", none.Text);
        Xunit.Assert.Empty(none.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>());
    }
}
