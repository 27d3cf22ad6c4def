using System.Text.Json;
using Inference.Engines;
using Json.Schema;
using Microsoft.Extensions.AI;
using Xunit;

namespace InferenceAspire.TestSupport;

/// <summary>
/// What a real engine does with a real model's vocabulary and template (random weights): a required call in the
/// family's own syntax with its arguments held to the schema, an answer held to a schema after reasoning cut by its
/// budget, and the tokenizer's ids against the reference's.
/// </summary>
public static class RealVocabularyScenarios
{
    private static readonly AIFunctionDeclaration Weather = AIFunctionFactory.CreateDeclaration(
        "get_weather", "Weather in a city",
        JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string","maxLength":12},"days":{"type":"integer","minimum":1,"maximum":7}},"required":["city","days"],"additionalProperties":false}""").RootElement);

    private const string Answer = """{"type":"object","properties":{"answer":{"enum":["yes","no"]}},"required":["answer"],"additionalProperties":false}""";

    private static ChatOptions Options(int seed) => new()
    {
        Temperature = 0.8f,
        Seed = seed,
        MaxOutputTokens = 120,
        AdditionalProperties = new() { [EngineChatOptions.ReasoningBudget] = 4 },
    };

    /// <summary>A call the request requires comes back as a function call whose arguments fit the tool's schema.</summary>
    public static async Task CallsAsync(IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var options = Options(11);
        options.Tools = [Weather];
        options.ToolMode = ChatToolMode.RequireSpecific("get_weather");
        options.AllowMultipleToolCalls = false;

        var response = await client.GetResponseAsync("What is the weather in Paris?", options);

        var reasoning = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.True(response.FinishReason == ChatFinishReason.ToolCalls, $"{response.FinishReason}: reasoning '{reasoning}', answer '{response.Text}'");
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        var arguments = JsonSerializer.SerializeToElement(call.Arguments);
        Assert.True(JsonSchema.FromText(Weather.JsonSchema.GetRawText()).Evaluate(arguments).IsValid, arguments.GetRawText());
        Assert.Equal("", response.Text);
    }

    /// <summary>An answer held to a schema comes after the reasoning (cut by its budget), the reasoning apart.</summary>
    public static async Task AnswersAfterReasoningAsync(IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var options = Options(5);
        options.ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(Answer).RootElement);

        var response = await client.GetResponseAsync("Is it raining?", options);

        var reasoning = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.True(response.FinishReason == ChatFinishReason.Stop, $"{response.FinishReason}: reasoning '{reasoning}', answer '{response.Text}'");
        Assert.True(JsonSchema.FromText(Answer).Evaluate(JsonDocument.Parse(response.Text).RootElement).IsValid, response.Text);
        Assert.DoesNotContain("<", response.Text, StringComparison.Ordinal);
    }

    /// <summary>The engine's tokenizer gives the reference tokenizer's ids for every case of the model's reference.json.</summary>
    public static void TokenizesAsTheReference(IChatClient client, string referenceFolder)
    {
        ArgumentNullException.ThrowIfNull(client);
        var tokenizer = (IPromptTokenizer)client.GetService(typeof(IPromptTokenizer))!;
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(referenceFolder, "reference.json")));
        foreach (var c in reference.RootElement.GetProperty("cases").EnumerateArray().Where(c => !c.GetProperty("add_special_tokens").GetBoolean()))
        {
            var text = c.GetProperty("text").GetString()!;
            Assert.True(
                c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).SequenceEqual(tokenizer.Tokenize(text, addSpecial: false)),
                $"{text}: {string.Join(",", tokenizer.Tokenize(text, addSpecial: false))}");
            Assert.Equal(text, tokenizer.Detokenize([.. c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32())]));
        }
    }
}
