using System.Text.Json;
using Inference.Onnx.Chat;
using Microsoft.Extensions.AI;

namespace Inference.Onnx.Tests;

/// <summary>Grammars, JSON schemas and tools on the ONNX engine: the real chat model, random GPT-2 weights and the synthetic SmolLM2.</summary>
public sealed class ConstrainedDecodingTests(WordnetFixture wordnet, TinyGpt2Fixture gpt2, SyntheticFixture synthetic)
    : IClassFixture<WordnetFixture>, IClassFixture<TinyGpt2Fixture>, IClassFixture<SyntheticFixture>
{
    private IChatClient Wordnet => new OnnxChatClient(wordnet.Model);

    private IChatClient Gpt2 => new OnnxChatClient(gpt2.Model);

    private IChatClient Synthetic => new OnnxChatClient(synthetic.Model);

    private static ChatOptions Raw => new() { AdditionalProperties = new() { [EngineChatOptions.RawPrompt] = true } };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public Task Sampled_answers_of_the_chat_model_validate(int schema) =>
        StructuredScenarios.SampledAnswersValidateAsync(Wordnet, StructuredScenarios.Schemas[schema], count: 40);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public Task Sampled_answers_of_random_weights_validate(int schema) =>
        StructuredScenarios.SampledAnswersValidateAsync(Gpt2, StructuredScenarios.Schemas[schema], count: 30, Raw, TinyGpt2Fixture.Prompt);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public Task Sampled_answers_of_the_synthetic_model_validate(int schema) =>
        StructuredScenarios.SampledAnswersValidateAsync(Synthetic, StructuredScenarios.Schemas[schema], count: 20);

    [Fact]
    public Task A_one_string_grammar_gives_exactly_it() => StructuredScenarios.FixedStringIsExactAsync(Wordnet);

    [Fact]
    public Task A_one_string_grammar_gives_exactly_it_on_random_weights() => StructuredScenarios.FixedStringIsExactAsync(Gpt2, Raw, TinyGpt2Fixture.Prompt);

    [Fact]
    public Task Typed_responses_deserialize() => StructuredScenarios.TypedResponseAsync(Wordnet);

    [Fact]
    public Task Function_invocation_calls_the_function_and_answers() => StructuredScenarios.FunctionInvocationAsync(Synthetic);

    [Fact]
    public Task Streamed_tool_calls_match_whole_ones() => StructuredScenarios.StreamedToolCallsMatchAsync(Synthetic);

    [Fact]
    public async Task Json_object_mode_gives_an_object()
    {
        // A word model writes prose inside a string until it runs out of room, so not every answer closes; each that does is an object.
        var closed = 0;
        for (var seed = 0; seed < 10; seed++)
        {
            var response = await Wordnet.GetResponseAsync("Give me JSON.", new ChatOptions { ResponseFormat = ChatResponseFormat.Json, Temperature = 1f, Seed = seed });
            Assert.StartsWith("{", response.Text, StringComparison.Ordinal);
            if (response.FinishReason == ChatFinishReason.Stop)
            {
                closed++;
                using var parsed = JsonDocument.Parse(response.Text);
                Assert.Equal(JsonValueKind.Object, parsed.RootElement.ValueKind);
            }
            else
            {
                Assert.Equal(ChatFinishReason.Length, response.FinishReason);
            }
        }

        Assert.True(closed > 0);
    }

    [Fact]
    public async Task Unconstrained_greedy_text_is_unchanged_by_an_unused_tool_mode()
    {
        var plain = await Wordnet.GetResponseAsync("What does \"dog\" mean?", new ChatOptions { Temperature = 0f, MaxOutputTokens = 40 });
        var none = await Wordnet.GetResponseAsync("What does \"dog\" mean?", new ChatOptions
        {
            Temperature = 0f,
            MaxOutputTokens = 40,
            Tools = [AIFunctionFactory.Create(() => 1, "one")],
            ToolMode = ChatToolMode.None,
        });
        Assert.Equal(plain.Text, none.Text);
        Assert.NotEmpty(plain.Text);
    }

    [Fact]
    public async Task An_unsupported_schema_keyword_is_refused_before_decoding()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"string"}},"patternProperties":{"^x":{}}}""");
        var error = await Assert.ThrowsAsync<Inference.Engines.Grammars.UnsupportedSchemaException>(() =>
            Wordnet.GetResponseAsync("Hi", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement) }));
        Assert.Equal("patternProperties", error.Keyword);
    }

    [Fact]
    public async Task An_invalid_grammar_is_refused_with_its_position()
    {
        var error = await Assert.ThrowsAsync<Inference.Engines.Grammars.GrammarSyntaxException>(() =>
            Wordnet.GetResponseAsync("Hi", new ChatOptions { AdditionalProperties = new() { [EngineChatOptions.Grammar] = "root ::= \"a\" | \n  oops ::=" } }));
        Assert.Equal(2, error.Line);
    }
}
