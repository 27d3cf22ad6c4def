using Inference.Onnx.Chat;
using InferenceAspire.TestSupport;

namespace Inference.Onnx.Tests;

public sealed class ReasoningBudgetTests
{
    [Fact]
    public async Task A_spent_budget_closes_the_reasoning_and_the_answer_follows_under_its_grammar()
    {
        using var model = LocalChatModel.Load("budget", SyntheticModels.OnnxFolder, TestModels.Options, ReasoningBudgetScenario.Template);
        using var client = new OnnxChatClient(model);

        await ReasoningBudgetScenario.AssertAsync(client, text => model.Tokenizer.Encode(text).Length);
    }
}
