using InferenceAspire.TestSupport;

namespace Inference.LlamaCpp.Tests;

public sealed class ReasoningBudgetTests
{
    [Fact]
    public async Task A_spent_budget_closes_the_reasoning_and_the_answer_follows_under_its_grammar()
    {
        using var model = GgufModels.Load(SyntheticModels.GgufFile, GgufModels.Options(o => o.ContextLength = 512), "budget", ReasoningBudgetScenario.Template);
        var client = new LlamaChatClient(model);

        await ReasoningBudgetScenario.AssertAsync(client, text => model.Vocabulary.Tokenize(text, addBos: false).Length);
    }
}
