using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.Extensions.AI;

namespace Inference.Api.FunctionalTests;

/// <summary>response_format, grammars and tools through the HTTP API: the OpenAI SDK (through MEAI), raw requests, and their errors.</summary>
public sealed class StructuredOutputApiTests(StructuredApiFixture fixture) : IClassFixture<StructuredApiFixture>
{
    private static readonly string ToolsJson = """
        [{"type":"function","function":{"name":"alarm","description":"Sets an alarm.","parameters":{"type":"object","properties":{"hour":{"type":"integer","minimum":0,"maximum":23}},"required":["hour"],"additionalProperties":false}}}]
        """;

    [Theory]
    [InlineData(StructuredApiFixture.Onnx, 0)]
    [InlineData(StructuredApiFixture.Onnx, 1)]
    [InlineData(StructuredApiFixture.Gguf, 1)]
    [InlineData(StructuredApiFixture.Gguf, 2)]
    public Task Json_schema_answers_through_the_OpenAI_SDK_validate(string model, int schema) =>
        StructuredScenarios.SampledAnswersValidateAsync(fixture.OpenAIChat(model), StructuredScenarios.Schemas[schema], count: 12);

    [Theory]
    [InlineData(StructuredApiFixture.Onnx)]
    [InlineData(StructuredApiFixture.Gguf)]
    public Task A_one_string_grammar_through_the_OpenAI_SDK_gives_exactly_it(string model) => StructuredScenarios.FixedStringIsExactAsync(fixture.OpenAIChat(model));

    [Fact]
    public Task Typed_responses_through_the_OpenAI_SDK_deserialize() => StructuredScenarios.TypedResponseAsync(fixture.OpenAIChat(StructuredApiFixture.Gguf));

    [Theory]
    [InlineData(StructuredApiFixture.SyntheticOnnx)]
    [InlineData(StructuredApiFixture.SyntheticGguf)]
    public Task Function_invocation_over_HTTP_calls_the_function(string model) => StructuredScenarios.FunctionInvocationAsync(fixture.OpenAIChat(model));

    [Theory]
    [InlineData(StructuredApiFixture.SyntheticOnnx)]
    [InlineData(StructuredApiFixture.SyntheticGguf)]
    public Task Streamed_tool_call_deltas_assemble_to_the_whole_call(string model) => StructuredScenarios.StreamedToolCallsMatchAsync(fixture.OpenAIChat(model));

    [Theory]
    [InlineData(StructuredApiFixture.Onnx, "/v1/chat/completions")]
    [InlineData(StructuredApiFixture.Gguf, "/v1/chat/completions")]
    [InlineData(StructuredApiFixture.Onnx, "/v1/completions")]
    [InlineData(StructuredApiFixture.Gguf, "/v1/completions")]
    public async Task An_inline_grammar_of_one_string_gives_exactly_it(string model, string route)
    {
        var body = new JsonObject { ["model"] = model, ["temperature"] = 1.2, ["seed"] = 5, ["grammar"] = "root ::= \"yes, \" (\"exactly\" | \"precisely\") \" this\"" };
        if (route.Contains("chat", StringComparison.Ordinal))
        {
            body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say it." });
        }
        else
        {
            body["prompt"] = "Say it:";
        }

        var json = await PostAsync(route, body, HttpStatusCode.OK);
        var choice = json["choices"]![0]!;
        var text = route.Contains("chat", StringComparison.Ordinal) ? (string)choice["message"]!["content"]! : (string)choice["text"]!;
        Assert.Contains(text, (string[])["yes, exactly this", "yes, precisely this"]);
        Assert.Equal("stop", (string)choice["finish_reason"]!);
    }

    [Theory]
    [InlineData(StructuredApiFixture.SyntheticOnnx)]
    [InlineData(StructuredApiFixture.SyntheticGguf)]
    public async Task Tool_calls_come_back_in_OpenAI_shape_and_the_result_goes_back_in(string model)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["temperature"] = 0,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Wake me at 6." }),
            ["tools"] = JsonNode.Parse(ToolsJson),
            ["tool_choice"] = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "alarm" } },
            ["parallel_tool_calls"] = false,
        };
        var json = await PostAsync("/v1/chat/completions", body, HttpStatusCode.OK);
        var choice = json["choices"]![0]!;
        Assert.Equal("tool_calls", (string)choice["finish_reason"]!);
        var message = choice["message"]!.AsObject();
        Assert.True(message.ContainsKey("content"));
        Assert.Null(message["content"]);
        var call = Assert.Single(message["tool_calls"]!.AsArray())!;
        Assert.StartsWith("call_", (string)call["id"]!, StringComparison.Ordinal);
        Assert.Equal("function", (string)call["type"]!);
        Assert.Equal("alarm", (string)call["function"]!["name"]!);
        var arguments = JsonNode.Parse((string)call["function"]!["arguments"]!)!;
        Assert.InRange((int)arguments["hour"]!, 0, 23);

        // The call and its result in the history: the model answers again (tools off now) in text.
        body["messages"]!.AsArray().Add(message.DeepClone());
        body["messages"]!.AsArray().Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = call["id"]!.DeepClone(), ["content"] = "alarm set" });
        body["tool_choice"] = "none";
        body["max_tokens"] = 8;
        var next = await PostAsync("/v1/chat/completions", body, HttpStatusCode.OK);
        Assert.NotEqual("tool_calls", (string)next["choices"]![0]!["finish_reason"]!);
        Assert.Null(next["choices"]![0]!["message"]!["tool_calls"]);
    }

    [Fact]
    public async Task Streamed_tool_calls_are_OpenAI_deltas()
    {
        var body = new JsonObject
        {
            ["model"] = StructuredApiFixture.SyntheticGguf,
            ["temperature"] = 0,
            ["stream"] = true,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Wake me at 6." }),
            ["tools"] = JsonNode.Parse(ToolsJson),
            ["tool_choice"] = "required",
        };
        using var response = await fixture.CreateClient().PostAsync("/v1/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var chunks = (await response.Content.ReadAsStringAsync()).Split('\n')
            .Where(l => l.StartsWith("data: ", StringComparison.Ordinal) && l != "data: [DONE]")
            .Select(l => JsonNode.Parse(l["data: ".Length..])!)
            .ToList();
        var deltas = chunks.SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["delta"]!["tool_calls"]).OfType<JsonArray>().SelectMany(a => a).ToList();
        Assert.True(deltas.Count >= 2);
        Assert.Equal("alarm", (string)deltas[0]!["function"]!["name"]!);
        Assert.NotNull(deltas[0]!["id"]);
        var arguments = string.Concat(deltas.Where(d => (int)d!["index"]! == 0).Select(d => (string?)d!["function"]!["arguments"] ?? ""));
        Assert.InRange((int)JsonNode.Parse(arguments)!["hour"]!, 0, 23);
        Assert.Equal("tool_calls", chunks.SelectMany(c => c["choices"]!.AsArray()).Select(c => (string?)c!["finish_reason"]).Last(r => r is not null));
    }

    [Theory]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"a":{"type":"string","format":"email"}}}}}}""", "format", "response_format.json_schema.schema")]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"array","uniqueItems":true}}}}""", "uniqueItems", "response_format.json_schema.schema")]
    [InlineData("""{"response_format":{"type":"yaml"}}""", "yaml", "response_format.type")]
    [InlineData("""{"grammar":"root ::= \"a\" |\n bad ::= (\"b\""}""", "line 2", "grammar")]
    [InlineData("""{"grammar":"no-such-grammar"}""", "no-such-grammar", "grammar")]
    [InlineData("""{"grammar":"root ::= \"a\"","response_format":{"type":"json_object"}}""", "cannot both", "grammar")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","not":{}}}}]}""", "'not'", "tools[0].function.parameters")]
    [InlineData("""{"tools":[{"type":"retrieval"}]}""", "only function tools", "tools[0]")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"has space"}}]}""", "has space", "tools[0].function.name")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}}""", "'g'", "tool_choice")]
    [InlineData("""{"tool_choice":"required"}""", "no tools", "tool_choice")]
    [InlineData("""{"tool_choice":"sometimes"}""", "sometimes", "tool_choice")]
    public async Task Constraints_that_cannot_be_enforced_are_refused(string extra, string mention, string param)
    {
        var body = JsonNode.Parse(extra)!.AsObject();
        body["model"] = StructuredApiFixture.Onnx;
        body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" });
        var json = await PostAsync("/v1/chat/completions", body, HttpStatusCode.BadRequest);
        Assert.Contains(mention, (string)json["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Equal(param, (string?)json["error"]!["param"]);
    }

    [Theory]
    [InlineData("""[{"role":"tool","content":"42"}]""", "messages[0].tool_call_id")]
    [InlineData("""[{"role":"user","content":"x","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]""", "messages[0].tool_calls")]
    [InlineData("""[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{not json"}}]}]""", "messages[0].tool_calls[0].function.arguments")]
    public async Task Malformed_tool_history_is_refused(string messages, string param)
    {
        var body = new JsonObject { ["model"] = StructuredApiFixture.Onnx, ["messages"] = JsonNode.Parse(messages) };
        var json = await PostAsync("/v1/chat/completions", body, HttpStatusCode.BadRequest);
        Assert.Equal(param, (string?)json["error"]!["param"]);
    }

    [Fact]
    public async Task Grammars_are_stored_checked_used_by_name_and_deleted()
    {
        var http = fixture.CreateClient();
        var name = "answer-" + Guid.NewGuid().ToString("N")[..8];
        var created = await http.PostAsJsonAsync("/grammars", new { name, description = "A yes or a no", content = "root ::= \"yes\" | \"no\"" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/grammars/{name}", created.Headers.Location?.ToString());

        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync("/grammars", new { name, content = "root ::= \"x\"" })).StatusCode);

        var listed = await http.GetFromJsonAsync<JsonArray>("/grammars");
        Assert.Contains(listed!, g => (string)g!["name"]! == name && (string)g["description"]! == "A yes or a no");

        var used = await PostAsync("/v1/completions", new JsonObject { ["model"] = StructuredApiFixture.Gguf, ["prompt"] = "Is it?", ["grammar"] = name, ["temperature"] = 1, ["seed"] = 1 }, HttpStatusCode.OK);
        Assert.Contains((string)used["choices"]![0]!["text"]!, (string[])["yes", "no"]);

        var replaced = await http.PutAsJsonAsync($"/grammars/{name}", new { content = "root ::= \"maybe\"" });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var one = await http.GetFromJsonAsync<JsonObject>($"/grammars/{name}");
        Assert.Equal("root ::= \"maybe\"", (string)one!["content"]!);
        Assert.Equal("A yes or a no", (string)one["description"]!);
        var again = await PostAsync("/v1/chat/completions", new JsonObject
        {
            ["model"] = StructuredApiFixture.Onnx,
            ["grammar"] = name,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Is it?" }),
        }, HttpStatusCode.OK);
        Assert.Equal("maybe", (string)again["choices"]![0]!["message"]!["content"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/grammars/{name}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/grammars/{name}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/grammars/{name}")).StatusCode);
        var gone = await PostAsync("/v1/completions", new JsonObject { ["model"] = StructuredApiFixture.Gguf, ["prompt"] = "Is it?", ["grammar"] = name }, HttpStatusCode.BadRequest);
        Assert.Equal("grammar_not_found", (string)gone["error"]!["code"]!);
    }

    [Theory]
    [InlineData("""{"name":"bad","content":"root ::= \"a\"\nitem ::= [a-"}""", 2, 10)]
    [InlineData("""{"name":"bad","content":"root ::= missing"}""", 1, 10)]
    public async Task A_grammar_that_does_not_parse_is_refused_with_line_and_column(string body, int line, int column)
    {
        using var response = await fixture.CreateClient().PostAsync("/grammars", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(line, (int)problem["line"]!);
        Assert.Equal(column, (int)problem["column"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.CreateClient().GetAsync("/grammars/bad")).StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"has space","content":"root ::= \"a\""}""", "name")]
    [InlineData("""{"name":"empty","content":""}""", "content")]
    public async Task A_grammar_without_a_usable_name_or_content_is_refused(string body, string field)
    {
        using var response = await fixture.CreateClient().PostAsync("/grammars", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["field"]!);
    }

    [Fact]
    public async Task Generate_returns_text_and_its_usage()
    {
        var json = await PostAsync("/generate", new JsonObject { ["model"] = StructuredApiFixture.Onnx, ["prompt"] = "What does \"dog\" mean?", ["temperature"] = 0 }, HttpStatusCode.OK);
        Assert.Equal("dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", (string)json["text"]!);
        Assert.Equal(StructuredApiFixture.Onnx, (string)json["model"]!);
        Assert.Equal("stop", (string)json["finish_reason"]!);
        Assert.True((int)json["usage"]!["completion_tokens"]! > 0);
        Assert.True((double)json["latency_ms"]! > 0);
    }

    [Fact]
    public async Task Generate_structured_returns_a_validated_object()
    {
        var schemaText = StructuredScenarios.Schemas[0];
        var schema = JsonSchema.FromText(schemaText);
        for (var seed = 0; seed < 5; seed++)
        {
            var json = await PostAsync("/generate/structured", new JsonObject
            {
                ["model"] = StructuredApiFixture.Gguf,
                ["prompt"] = "Describe an animal.",
                ["schema"] = JsonNode.Parse(schemaText),
                ["temperature"] = 1,
                ["seed"] = seed,
            }, HttpStatusCode.OK);
            Assert.True((bool)json["valid"]!);
            using var data = JsonDocument.Parse(json["data"]!.ToJsonString());
            Assert.True(schema.Evaluate(data.RootElement).IsValid, json["data"]!.ToJsonString());
        }
    }

    [Theory]
    [InlineData("""{"prompt":"Hi","schema":{"type":"object","patternProperties":{"a":{}}}}""", 400, "patternProperties")]
    [InlineData("""{"prompt":"Hi"}""", 400, "schema")]
    [InlineData("""{"schema":{"type":"object"}}""", 400, "prompt")]
    [InlineData("""{"prompt":"Hi","max_tokens":3,"schema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}""", 422, "max_tokens")]
    public async Task Generate_structured_errors_are_problem_details(string body, int status, string mention)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        node["model"] = StructuredApiFixture.Onnx;
        using var response = await fixture.CreateClient().PostAsync("/generate/structured", new StringContent(node.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mention, (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!, StringComparison.Ordinal);
    }

    private async Task<JsonNode> PostAsync(string route, JsonObject body, HttpStatusCode expected)
    {
        using var response = await fixture.CreateClient().PostAsync(route, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}
