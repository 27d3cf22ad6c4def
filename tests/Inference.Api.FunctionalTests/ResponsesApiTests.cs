using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK's Responses client is marked for evaluation

namespace Inference.Api.FunctionalTests;

/// <summary>
/// OpenAI's Responses API through the OpenAI SDK's Responses client (and MEAI over it), and on the wire: the same greedy
/// answer as chat completions, streamed events in OpenAI's order, stored responses continued with previous_response_id,
/// read back, listed and deleted, function calls with their outputs sent back, structured output, and OpenAI's errors.
/// </summary>
public sealed class ResponsesApiTests(InferenceApiFixture api) : IClassFixture<InferenceApiFixture>
{
    private const string Model = InferenceApiFixture.Chat;
    private const string Question = "What does \"dog\" mean?";
    // A city the model names from a list: a small model's free string could run to the end of its context.
    private const string Weather = """{"type":"object","properties":{"city":{"type":"string","enum":["Paris","London"]}},"required":["city"],"additionalProperties":false}""";

    private ResponsesClient Sdk() => api.CreateOpenAIClient().GetResponsesClient();

    private async Task<JsonElement> ChatAsync(object messages, int maxTokens = 40)
    {
        using var http = api.CreateClient();
        return await LifecycleHost.PostAsync(http, "/v1/chat/completions", JsonSerializer.Serialize(new { model = Model, max_tokens = maxTokens, messages }));
    }

    [Fact]
    public async Task The_sdk_gets_the_same_greedy_answer_as_chat_completions_and_reads_it_back()
    {
        var chat = await ChatAsync(new[] { new { role = "user", content = Question } });

        ResponseResult response = await Sdk().CreateResponseAsync(new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem(Question)]) { MaxOutputTokenCount = 40 });

        Assert.Equal(chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), response.GetOutputText());
        Assert.StartsWith("dog: a member of the genus Canis", response.GetOutputText(), StringComparison.Ordinal);
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.StartsWith("resp_", response.Id, StringComparison.Ordinal);
        Assert.Equal(Model, response.Model);
        Assert.Equal(chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), response.Usage.InputTokenCount);
        Assert.Equal(chat.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), response.Usage.OutputTokenCount);
        var message = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(response.OutputItems));
        Assert.Equal(MessageRole.Assistant, message.Role);

        // Stored by default: read back whole, its input items listed, then deleted.
        ResponseResult stored = await Sdk().GetResponseAsync(response.Id);
        Assert.Equal((response.Id, response.GetOutputText()), (stored.Id, stored.GetOutputText()));
        var inputs = await Sdk().GetResponseInputItemsAsync(response.Id).ToListAsync();
        Assert.Equal(Question, Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(inputs)).Content.Single().Text);
        ResponseDeletionResult deleted = await Sdk().DeleteResponseAsync(response.Id);
        Assert.True(deleted.Deleted);
        using var http = api.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/v1/responses/{response.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_second_response_continues_the_first_with_previous_response_id()
    {
        ResponseResult first = await Sdk().CreateResponseAsync(Model, Question, previousResponseId: null);
        ResponseResult second = await Sdk().CreateResponseAsync(new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem("What does \"cat\" mean?")])
        {
            PreviousResponseId = first.Id, MaxOutputTokenCount = 30,
        });

        // The model saw the first turn: the same prompt as the whole conversation sent to chat completions.
        var chat = await ChatAsync(new object[]
        {
            new { role = "user", content = Question },
            new { role = "assistant", content = first.GetOutputText() },
            new { role = "user", content = "What does \"cat\" mean?" },
        }, 30);
        Assert.Equal(chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), second.Usage.InputTokenCount);
        Assert.Equal(chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), second.GetOutputText());
        Assert.Equal(first.Id, second.PreviousResponseId);

        // Not stored: read back 404, and nothing to continue from.
        ResponseResult unstored = await Sdk().CreateResponseAsync(new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem("hi")]) { StoredOutputEnabled = false, MaxOutputTokenCount = 5 });
        using var http = api.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/v1/responses/{unstored.Id}")).StatusCode);
        using var orphan = await http.PostAsync("/v1/responses", OpenAIClientTests.Json($$"""{"model":"{{Model}}","input":"hi","previous_response_id":"{{unstored.Id}}"}"""));
        await BadInputTests.AssertError(orphan, 404, "previous_response_id", "previous_response_not_found");
    }

    [Fact]
    public async Task Streamed_through_the_sdk_the_deltas_make_the_answer_and_the_last_event_holds_it()
    {
        var whole = await Sdk().CreateResponseAsync(new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem(Question)]) { MaxOutputTokenCount = 40 });
        var updates = new List<StreamingResponseUpdate>();
        await foreach (var update in await Sdk().CreateResponseStreamingAsync(new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem(Question)]) { MaxOutputTokenCount = 40, StreamingEnabled = true }))
        {
            updates.Add(update);
        }

        var deltas = updates.OfType<StreamingResponseOutputTextDeltaUpdate>().Select(u => u.Delta).ToList();
        Assert.True(deltas.Count > 3, "the answer arrives in pieces");
        Assert.Equal(whole.Value.GetOutputText(), string.Concat(deltas));
        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]);
        Assert.Equal(whole.Value.GetOutputText(), completed.Response.GetOutputText());
        Assert.Equal(whole.Value.Usage.InputTokenCount, completed.Response.Usage.InputTokenCount);
        Assert.Equal(Enumerable.Range(0, updates.Count), updates.Select(u => u.SequenceNumber));

        // A streamed response is stored as well.
        ResponseResult stored = await Sdk().GetResponseAsync(completed.Response.Id);
        Assert.Equal(completed.Response.GetOutputText(), stored.GetOutputText());
    }

    [Fact]
    public async Task Streamed_events_come_in_openais_order_and_shape()
    {
        using var http = api.CreateClient();
        using var response = await http.PostAsync("/v1/responses", OpenAIClientTests.Json($$"""{"model":"{{Model}}","input":"{{Question.Replace("\"", "\\\"", StringComparison.Ordinal)}}","max_output_tokens":12,"stream":true}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = AnthropicMessagesTests.ParseEvents(await response.Content.ReadAsStringAsync());

        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"], events.Take(4).Select(e => e.Name));
        Assert.Equal(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.incomplete"], events.TakeLast(4).Select(e => e.Name));
        Assert.All(events[4..^4], e => Assert.Equal("response.output_text.delta", e.Name));
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
        Assert.Equal("in_progress", events[0].Data.GetProperty("response").GetProperty("status").GetString());
        var itemId = events[2].Data.GetProperty("item").GetProperty("id").GetString();
        Assert.All(events[3..^2], e => Assert.Equal(itemId, e.Data.GetProperty("item_id").GetString()));

        // Cut by max_output_tokens: incomplete, saying why, the item incomplete too.
        var last = events[^1].Data.GetProperty("response");
        Assert.Equal("incomplete", last.GetProperty("status").GetString());
        Assert.Equal("max_output_tokens", last.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal(12, last.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal("incomplete", last.GetProperty("output")[0].GetProperty("status").GetString());
        var text = string.Concat(events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString()));
        Assert.Equal(text, events[^4].Data.GetProperty("text").GetString());
        Assert.Equal(text, last.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Meai_over_the_sdk_keeps_the_conversation_on_the_server()
    {
        IChatClient chat = Sdk().AsIChatClient(Model);

        var first = await chat.GetResponseAsync(Question, new ChatOptions { MaxOutputTokens = 30 });
        Assert.StartsWith("dog: a member of the genus Canis", first.Text, StringComparison.Ordinal);
        Assert.StartsWith("resp_", first.ConversationId, StringComparison.Ordinal);

        // The next turn sends only its own message: the stored conversation holds the rest. (MEAI 10.11 was built on
        // the OpenAI SDK 2.14, whose streaming call 2.15 changed, so MEAI is driven whole here; the SDK streams above.)
        var second = await chat.GetResponseAsync("What does \"cat\" mean?", new ChatOptions { MaxOutputTokens = 30, ConversationId = first.ConversationId });
        var direct = await ChatAsync(new object[]
        {
            new { role = "user", content = Question },
            new { role = "assistant", content = first.Text },
            new { role = "user", content = "What does \"cat\" mean?" },
        }, 30);
        Assert.Equal(direct.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), second.Text);
        Assert.Equal(direct.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), (int)second.Usage!.InputTokenCount!);
    }

    [Fact]
    public async Task A_function_call_comes_back_as_an_item_and_its_output_is_answered()
    {
        var tools = new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem("Weather in Paris?")])
        {
            Tools = { ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(Weather), strictModeEnabled: true, "Weather in a city") },
            ToolChoice = ResponseToolChoice.CreateRequiredChoice(),
        };
        ResponseResult called = await Sdk().CreateResponseAsync(tools);

        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(called.OutputItems));
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Contains(JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("city").GetString(), new[] { "Paris", "London" });
        Assert.StartsWith("fc_", call.Id, StringComparison.Ordinal);

        // Its output sent back, continuing the stored response: a text answer.
        ResponseResult answered = await Sdk().CreateResponseAsync(new CreateResponseOptions(Model, [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "21 C and sunny")])
        {
            PreviousResponseId = called.Id, MaxOutputTokenCount = 8,
        });
        Assert.IsAssignableFrom<MessageResponseItem>(answered.OutputItems[^1]);
        var direct = await ChatAsync(new object[]
        {
            new { role = "user", content = "Weather in Paris?" },
            new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = call.CallId, type = "function", function = new { name = "get_weather", arguments = call.FunctionArguments.ToString() } } } },
            new { role = "tool", tool_call_id = call.CallId, content = "21 C and sunny" },
        }, 8);
        Assert.Equal(direct.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), answered.Usage.InputTokenCount);
        Assert.Equal(direct.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), answered.GetOutputText());

        // Streamed, the arguments arrive in the call's own events.
        using var http = api.CreateClient();
        using var streamed = await http.PostAsync("/v1/responses", OpenAIClientTests.Json($$"""
            {"model":"{{Model}}","input":"Weather in Paris?","stream":true,"tool_choice":"required",
             "tools":[{"type":"function","name":"get_weather","parameters":{{Weather}},"strict":true}]}
            """));
        var events = AnthropicMessagesTests.ParseEvents(await streamed.Content.ReadAsStringAsync());
        Assert.Equal(["response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done", "response.completed"],
            events.Skip(2).Select(e => e.Name));
        var done = events.Single(e => e.Name == "response.function_call_arguments.done").Data;
        Assert.Contains(JsonDocument.Parse(done.GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString(), new[] { "Paris", "London" });
        Assert.Equal("function_call", events[^1].Data.GetProperty("response").GetProperty("output")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Structured_output_follows_the_json_schema_format()
    {
        const string schema = """{"type":"object","properties":{"word":{"type":"string","maxLength":12},"letters":{"type":"integer","minimum":0,"maximum":99}},"required":["word","letters"],"additionalProperties":false}""";
        ResponseResult response = await Sdk().CreateResponseAsync(new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem("dog")])
        {
            MaxOutputTokenCount = 150,
            TextOptions = new ResponseTextOptions { TextFormat = ResponseTextFormat.CreateJsonSchemaFormat("word", BinaryData.FromString(schema), jsonSchemaIsStrict: true) },
        });

        var answer = JsonDocument.Parse(response.GetOutputText()).RootElement;
        Assert.Equal(JsonValueKind.String, answer.GetProperty("word").ValueKind);
        Assert.Equal(JsonValueKind.Number, answer.GetProperty("letters").ValueKind);
        Assert.Equal(2, answer.EnumerateObject().Count());
        Assert.Equal(ResponseTextFormatKind.JsonSchema, response.TextOptions.TextFormat.Kind);
    }

    [Fact]
    public async Task Errors_come_in_openais_shape()
    {
        using var http = api.CreateClient();
        async Task Expect(string body, int status, string? param, string? code = null)
        {
            using var response = await http.PostAsync("/v1/responses", OpenAIClientTests.Json(body));
            await BadInputTests.AssertError(response, status, param, code);
        }

        await Expect("""{"model":"no-such-model","input":"hi"}""", 404, "model", "model_not_found");
        await Expect($$"""{"model":"{{Model}}"}""", 400, "input", "missing_required_parameter");
        await Expect($$"""{"model":"{{Model}}","input":"hi","tools":[{"type":"web_search"}]}""", 400, "tools[0].type", "invalid_value");
        await Expect($$"""{"model":"{{Model}}","input":"hi","max_output_tokens":0}""", 400, "max_output_tokens", "invalid_value");
        await Expect($$$"""{"model":"{{{Model}}}","input":[{"role":"user","content":[{"type":"input_image","image_url":"http://x/y.png"}]}]}""", 400, "input[0].content[0].type", "invalid_value");
        await Expect($$$"""{"model":"{{{Model}}}","input":[{"type":"computer_call_output","call_id":"c"}]}""", 400, "input[0].type", "invalid_value");
        await Expect($$"""{"model":"{{Model}}","input":"hi","background":true}""", 400, "background");
        await Expect($$"""{"model":"{{Model}}","input":"hi","truncation":"auto"}""", 400, "truncation", "invalid_value");
        await Expect($$$$"""{"model":"{{{{Model}}}}","input":"hi","text":{"format":{"type":"json_schema","name":"x"}}}""", 400, "text.format.schema");
        await Expect($$$"""{"model":"{{{Model}}}","input":"hi","reasoning":{"effort":"extreme"}}""", 400, "reasoning.effort", "invalid_value");
        await Expect($$$"""{"model":"{{{Model}}}","input":[{"type":"function_call","call_id":"c","name":"f","arguments":"[1]"}]}""", 400, "input[0].arguments");
        await Expect("{not json", 400, null);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/responses/resp_missing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/v1/responses/resp_missing")).StatusCode);

        var sdkError = await Assert.ThrowsAnyAsync<Exception>(() => Sdk().CreateResponseAsync("no-such-model", "hi", previousResponseId: null));
        Assert.Contains("no-such-model", sdkError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_items_are_listed_newest_first_in_pages()
    {
        using var http = api.CreateClient();
        var response = await LifecycleHost.PostAsync(http, "/v1/responses", $$"""
            {"model":"{{Model}}","max_output_tokens":5,"instructions":"Be brief.","input":[
              {"role":"user","content":"one"},{"role":"assistant","content":"two"},{"type":"message","role":"user","content":[{"type":"input_text","text":"three"}]}]}
            """);
        var id = response.GetProperty("id").GetString();
        Assert.Equal("Be brief.", response.GetProperty("instructions").GetString());

        var page = await http.GetFromJsonAsync<JsonElement>($"/v1/responses/{id}/input_items?limit=2");
        Assert.Equal(["three", "two"], page.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()));
        Assert.True(page.GetProperty("has_more").GetBoolean());
        var rest = await http.GetFromJsonAsync<JsonElement>($"/v1/responses/{id}/input_items?limit=2&after={page.GetProperty("last_id").GetString()}");
        Assert.Equal(["one"], rest.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()));
        Assert.False(rest.GetProperty("has_more").GetBoolean());
        var ascending = await http.GetFromJsonAsync<JsonElement>($"/v1/responses/{id}/input_items?order=asc");
        Assert.Equal(["input_text", "output_text", "input_text"], ascending.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("content")[0].GetProperty("type").GetString()));
        Assert.All(ascending.GetProperty("data").EnumerateArray(), i => Assert.StartsWith("msg_", i.GetProperty("id").GetString(), StringComparison.Ordinal));
    }
}
