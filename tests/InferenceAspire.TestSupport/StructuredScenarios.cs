using System.Text.Json;
using Json.Schema;
using Microsoft.Extensions.AI;
using Xunit;

namespace InferenceAspire.TestSupport;

/// <summary>
/// What structured output must do on any chat client (an engine's own, or ours over HTTP through the OpenAI SDK):
/// sampled answers under a schema all validate, a one-string grammar gives exactly that string, MEAI's typed
/// responses deserialize, function invocation calls real C# code and sends its result back, and a streamed tool call
/// assembles to the one the same request returns whole.
/// </summary>
public static class StructuredScenarios
{
    /// <summary>Three schemas that between them use enum, const, required, nesting, arrays, anyOf, bounds, pattern, format and type lists.</summary>
    public static readonly string[] Schemas =
    [
        """{"type":"object","properties":{"name":{"type":"string","maxLength":10},"age":{"type":"integer","minimum":0,"maximum":120},"kind":{"enum":["cat","dog","bird"]}},"required":["name","age","kind"],"additionalProperties":false}""",
        """{"anyOf":[{"type":"object","properties":{"type":{"const":"a"},"value":{"type":"boolean"}},"required":["type","value"],"additionalProperties":false},{"type":"object","properties":{"type":{"const":"b"},"items":{"type":"array","items":{"type":"integer","minimum":-5,"maximum":5},"minItems":1,"maxItems":3},"inner":{"type":"object","properties":{"x":{"type":"number","minimum":0,"maximum":1}},"required":["x"],"additionalProperties":false}},"required":["type","items","inner"],"additionalProperties":false}]}""",
        """{"type":"object","properties":{"id":{"type":"string","pattern":"^[a-z]{2,4}-[0-9]{2}$"},"ok":{"type":["boolean","null"]},"when":{"type":"string","format":"date"}},"required":["id","ok","when"],"additionalProperties":false}""",
    ];

    /// <summary>Samples <paramref name="count"/> answers under <paramref name="schemaJson"/>; every one must parse and validate.</summary>
    public static async Task SampledAnswersValidateAsync(IChatClient client, string schemaJson, int count, ChatOptions? baseOptions = null, string prompt = "Describe an animal.")
    {
        using var schemaDocument = JsonDocument.Parse(schemaJson);
        var schema = JsonSchema.FromText(schemaJson);
        var distinct = new HashSet<string>();
        for (var i = 0; i < count; i++)
        {
            var options = baseOptions?.Clone() ?? new ChatOptions();
            options.Temperature ??= 1f;
            options.Seed = 1000 + i;
            options.ResponseFormat = ChatResponseFormat.ForJsonSchema(schemaDocument.RootElement.Clone(), "answer");
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], options);
            Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
            AssertValid(schema, response.Text);
            distinct.Add(response.Text);
        }

        Assert.True(distinct.Count > count / 4, $"only {distinct.Count} distinct answers in {count}: sampling is not exploring");
    }

    public static void AssertValid(JsonSchema schema, string text)
    {
        using var document = JsonDocument.Parse(text);
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, $"{text} does not validate: {string.Join("; ", result.Details?.Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Values) ?? [])}");
    }

    /// <summary>A grammar that admits one string gives exactly it, greedy and sampled.</summary>
    public static async Task FixedStringIsExactAsync(IChatClient client, ChatOptions? baseOptions = null, string prompt = "What is the answer?")
    {
        const string expected = "The answer is 42.";
        foreach (var temperature in (float[])[0f, 1.5f])
        {
            var options = baseOptions?.Clone() ?? new ChatOptions();
            options.Temperature = temperature;
            options.Seed = 7;
            options.MaxOutputTokens = 40;
            (options.AdditionalProperties ??= [])["grammar"] = "root ::= \"The answer is \" \"42\" \".\"";
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], options);
            Assert.Equal(expected, response.Text);
            Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        }
    }

    public sealed record Pet([property: System.ComponentModel.DataAnnotations.MaxLength(12)] string Name, [property: System.ComponentModel.DataAnnotations.Range(0, 8)] int Legs, PetKind Kind);

    [System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<PetKind>))]
    public enum PetKind
    {
        Cat,
        Dog,
        Fish,
    }

    /// <summary>MEAI's GetResponseAsync&lt;T&gt; returns a typed object.</summary>
    public static async Task TypedResponseAsync(IChatClient client, ChatOptions? baseOptions = null)
    {
        var options = baseOptions?.Clone() ?? new ChatOptions();
        options.Temperature = 0.8f;
        options.Seed = 3;
        var response = await client.GetResponseAsync<Pet>("Describe a pet.", options: options);
        Assert.True(response.TryGetResult(out var pet), $"not a Pet: {response.Text}");
        Assert.NotNull(pet!.Name);
        Assert.True(Enum.IsDefined(pet.Kind));
    }

    /// <summary>A FunctionInvokingChatClient calls a real C# function the model chose, and sends its result back.</summary>
    public static async Task FunctionInvocationAsync(IChatClient client, ChatOptions? baseOptions = null)
    {
        var cities = new List<string>();
        var weather = AIFunctionFactory.Create(
            ([System.ComponentModel.DataAnnotations.MaxLength(12)] string city) =>
            {
                cities.Add(city);
                return $"sunny in {city}";
            },
            "weather",
            "Weather in a city.");
        using var invoking = new FunctionInvokingChatClient(client) { MaximumIterationsPerRequest = 3 };
        var options = baseOptions?.Clone() ?? new ChatOptions();
        options.Temperature = 0f;
        // Enough for the call; the answer after it (free text from random weights) is cut short.
        options.MaxOutputTokens ??= 100;
        options.AllowMultipleToolCalls = false;
        options.Tools = [weather];
        options.ToolMode = ChatToolMode.RequireSpecific("weather");
        var response = await invoking.GetResponseAsync([new ChatMessage(ChatRole.User, "What is the weather in Paris?")], options);

        Assert.True(cities.Count > 0, "the function was never called: " + string.Join(" | ", response.Messages.Select(m => $"{m.Role}: {m.Text}")));
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().First();
        Assert.Equal("weather", call.Name);
        var result = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().First();
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal($"sunny in {cities[0]}", result.Result?.ToString());
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
    }

    /// <summary>The same request streamed and whole: the streamed tool-call updates assemble to the whole call.</summary>
    public static async Task StreamedToolCallsMatchAsync(IChatClient client, ChatOptions? baseOptions = null)
    {
        var tool = AIFunctionFactory.CreateDeclaration(
            "alarm",
            "Sets an alarm.",
            JsonDocument.Parse("""{"type":"object","properties":{"hour":{"type":"integer","minimum":0,"maximum":23},"on":{"type":"boolean"}},"required":["hour","on"]}""").RootElement.Clone());
        var options = baseOptions?.Clone() ?? new ChatOptions();
        options.Temperature = 0.9f;
        options.Seed = 11;
        options.Tools = [tool];
        options.ToolMode = ChatToolMode.RequireAny;
        options.AllowMultipleToolCalls = false;
        ChatMessage[] messages = [new(ChatRole.User, "Wake me at 7.")];

        var whole = await client.GetResponseAsync(messages, options);
        var streamed = await client.GetStreamingResponseAsync(messages, options).ToChatResponseAsync();

        Assert.True(whole.FinishReason == ChatFinishReason.ToolCalls, $"no tool call but {whole.FinishReason}: {whole.Text}");
        var wholeCall = Assert.Single(whole.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        var streamedCall = Assert.Single(streamed.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ChatFinishReason.ToolCalls, whole.FinishReason);
        Assert.Equal(ChatFinishReason.ToolCalls, streamed.FinishReason);
        Assert.Equal("alarm", wholeCall.Name);
        Assert.Equal(wholeCall.Name, streamedCall.Name);
        Assert.Equal(JsonSerializer.Serialize(wholeCall.Arguments), JsonSerializer.Serialize(streamedCall.Arguments));
        var hour = ((JsonElement)wholeCall.Arguments!["hour"]!).GetInt32();
        Assert.InRange(hour, 0, 23);
    }
}
