using System.Text.Json;
using Inference.Engines.Grammars;

namespace Inference.LlamaCpp.Tests;

/// <summary>Grammars, JSON schemas and tools on the llama.cpp engine (its grammar sampler): the real chat model as GGUF and the synthetic SmolLM2.</summary>
public sealed class ConstrainedDecodingTests(WordnetGgufFixture wordnet, SyntheticGgufFixture synthetic)
    : IClassFixture<WordnetGgufFixture>, IClassFixture<SyntheticGgufFixture>
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public Task Sampled_answers_of_the_chat_model_validate(int schema) =>
        StructuredScenarios.SampledAnswersValidateAsync(wordnet.Client, StructuredScenarios.Schemas[schema], count: 40);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public Task Sampled_answers_of_the_synthetic_model_validate(int schema) =>
        StructuredScenarios.SampledAnswersValidateAsync(synthetic.Client, StructuredScenarios.Schemas[schema], count: 20);

    [Fact]
    public async Task Concurrent_constrained_and_free_requests_share_the_batch()
    {
        // A constrained sequence beside free ones in one batch: each keeps its own grammar (or none).
        var free = Enumerable.Range(0, 3).Select(_ => wordnet.Client.GetResponseAsync("What does \"dog\" mean?", new ChatOptions { Temperature = 0f, MaxOutputTokens = 30 }));
        var constrained = Enumerable.Range(0, 3).Select(i => StructuredScenarios.SampledAnswersValidateAsync(wordnet.Client, StructuredScenarios.Schemas[i], count: 8));
        var answers = await Task.WhenAll(free);
        await Task.WhenAll(constrained);
        Assert.All(answers, a => Assert.Equal(answers[0].Text, a.Text));
        Assert.DoesNotContain("{", answers[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public Task A_one_string_grammar_gives_exactly_it() => StructuredScenarios.FixedStringIsExactAsync(wordnet.Client);

    [Fact]
    public Task A_one_string_grammar_gives_exactly_it_on_random_weights() => StructuredScenarios.FixedStringIsExactAsync(synthetic.Client);

    [Fact]
    public Task Typed_responses_deserialize() => StructuredScenarios.TypedResponseAsync(wordnet.Client);

    [Fact]
    public Task Function_invocation_calls_the_function_and_answers() => StructuredScenarios.FunctionInvocationAsync(synthetic.Client);

    [Fact]
    public Task Streamed_tool_calls_match_whole_ones() => StructuredScenarios.StreamedToolCallsMatchAsync(synthetic.Client);

    [Fact]
    public async Task Greedy_text_without_a_constraint_is_the_golden_text()
    {
        // Through the public client (and so the structured-output path), not the scheduler directly as the golden tests do.
        var golden = GgufModels.Golden.GetProperty("cases")[0];
        var (messages, options) = GgufModels.Case(golden, maxTokens: 48);
        var response = await wordnet.Client.GetResponseAsync(messages, options);
        Assert.Equal(golden.GetProperty("text").GetString(), response.Text);
    }

    [Fact]
    public async Task An_unsupported_schema_keyword_is_refused_before_decoding()
    {
        using var schema = JsonDocument.Parse("""{"type":"array","items":{"type":"string"},"uniqueItems":true}""");
        var error = await Assert.ThrowsAsync<UnsupportedSchemaException>(() =>
            wordnet.Client.GetResponseAsync("Hi", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement) }));
        Assert.Equal("uniqueItems", error.Keyword);
    }
}
