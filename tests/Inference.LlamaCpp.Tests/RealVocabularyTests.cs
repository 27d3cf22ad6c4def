using InferenceAspire.TestSupport;

namespace Inference.LlamaCpp.Tests;

/// <summary>
/// Qwen 3's, GPT-OSS's and Gemma 3's vocabularies and templates in llama.cpp (random weights, two layers; llama.cpp's
/// qwen3 and gemma3 architectures, a Llama for GPT-OSS): the
/// template the GGUF carries, llama.cpp's tokenizer of the family (its pre-tokenizer), the family's calls and reasoning.
/// </summary>
public sealed class RealVocabularyTests
{
    [Theory]
    [InlineData("qwen3")]
    [InlineData("gpt-oss")]
    [InlineData("gemma3")]
    public async Task Calls_answers_and_tokens_are_the_family_s_own(string family)
    {
        using var model = GgufModels.Load(RealVocabularyModels.GgufFile(family), GgufModels.Options(o => o.ContextLength = 2048), family);
        var client = new LlamaChatClient(model);
        Assert.Equal("gguf", model.ChatTemplate);
        Assert.Equal(family is "qwen3" or "gemma3" ? family : "llama", model.File.Architecture);

        await RealVocabularyScenarios.CallsAsync(client);
        await RealVocabularyScenarios.AnswersAfterReasoningAsync(client);
        RealVocabularyScenarios.TokenizesAsTheReference(client, Path.Combine(GgufModels.Root, family + "-tokenizer"));
    }
}
