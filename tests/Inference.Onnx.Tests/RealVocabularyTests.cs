using Inference.Onnx.Chat;
using InferenceAspire.TestSupport;

namespace Inference.Onnx.Tests;

/// <summary>Qwen 3's, GPT-OSS's and Gemma 3's vocabularies and templates on the ONNX engine (random weights, two layers).</summary>
public sealed class RealVocabularyTests
{
    [Theory]
    [InlineData("qwen3")]
    [InlineData("gpt-oss")]
    [InlineData("gemma3")]
    public async Task Calls_answers_and_tokens_are_the_family_s_own(string family)
    {
        using var model = LocalChatModel.Load(family, RealVocabularyModels.OnnxFolder(family), TestModels.Options);
        using var client = new OnnxChatClient(model);

        await RealVocabularyScenarios.CallsAsync(client);
        await RealVocabularyScenarios.AnswersAfterReasoningAsync(client);
        RealVocabularyScenarios.TokenizesAsTheReference(client, TestModels.Folder(family + "-tokenizer"));
    }
}
