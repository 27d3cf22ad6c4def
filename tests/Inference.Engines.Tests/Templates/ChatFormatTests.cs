using System.Text.Json;
using Inference.Engines.Structured;
using Inference.Engines.Templates;
using InferenceAspire.TestSupport.Scripted;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Tests.Templates;

/// <summary>
/// Real models' templates through the local engines' client, their output forced (random weights never think or call
/// tools): reasoning kept apart, native tool calls read back and sent back in history, streamed and not, and the
/// constraints that let reasoning come first.
/// </summary>
public sealed class ChatFormatTests
{
    private static readonly AIFunctionDeclaration Weather = AIFunctionFactory.CreateDeclaration(
        "get_weather", "Weather in a city", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement);

    private static ChatFormat Format(string folder) =>
        ChatTemplateSources.Find(Path.Combine(ModelsDirectory.Locate()!, folder), null) ?? throw new InvalidOperationException($"{folder} has no template");

    private static (ScriptedChatClient Client, ScriptedModel Model) Scripted(string folder, string output) =>
        Scripted(Format(folder), output);

    private static (ScriptedChatClient Client, ScriptedModel Model) Scripted(ChatFormat format, string output)
    {
        var model = new ScriptedModel("m", format, _ => output);
        return (new ScriptedChatClient(model), model);
    }

    private static ChatOptions Tools(Action<ChatOptions>? more = null)
    {
        var options = new ChatOptions { Tools = [Weather], ToolMode = ChatToolMode.Auto };
        more?.Invoke(options);
        return options;
    }

    [Fact]
    public void Templates_are_recognised_by_their_family()
    {
        var qwen = Format("qwen3-tokenizer");
        Assert.Equal(("hermes", "think"), (qwen.ToolCalls.Name, qwen.Reasoning?.Name));
        var gptOss = Format("gpt-oss-tokenizer");
        Assert.Equal(("harmony", "harmony", "chat_template.jinja"), (gptOss.ToolCalls.Name, gptOss.Reasoning?.Name, gptOss.Name));
        Assert.Equal(["<|return|>", "<|call|>"], gptOss.Stop);
        var gemma = Format("gemma3-tokenizer");
        Assert.Null(gemma.Reasoning);
        Assert.False(gemma.RendersTools);
        Assert.Contains("<end_of_turn>", gemma.Stop);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Qwen3_thinks_apart_from_its_answer(bool stream)
    {
        var (client, _) = Scripted("qwen3-tokenizer", "<think>\nThe user greets me.\n</think>\n\nHello there!");

        var (response, updates) = await RunAsync(client, [new(ChatRole.User, "Hi")], null, stream);

        Assert.Equal("Hello there!", response.Text);
        Assert.Equal("The user greets me.", Reasoning(response));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        if (stream)
        {
            // Reasoning streams before the answer, and no markup reaches either.
            var kinds = updates.SelectMany(u => u.Contents).Where(c => c is TextContent or TextReasoningContent).Select(c => c is TextReasoningContent).ToList();
            Assert.True(kinds.Count > 4);
            Assert.Equal(kinds.OrderByDescending(k => k), kinds);
            Assert.DoesNotContain(updates.SelectMany(u => u.Contents).OfType<TextContent>(), t => t.Text.Contains('<', StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Thinking_off_reaches_the_template_and_history_with_reasoning_renders_as_it_expects()
    {
        var (client, model) = Scripted("qwen3-tokenizer", "Fine.");
        await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } });
        Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", model.LastPrompt, StringComparison.Ordinal);

        var kwargs = new ChatOptions { AdditionalProperties = new() { [EngineChatOptions.TemplateVariables] = JsonDocument.Parse("""{"enable_thinking": false}""").RootElement } };
        await client.GetResponseAsync([new(ChatRole.User, "Hi")], kwargs);
        Assert.EndsWith("<think>\n\n</think>\n\n", model.LastPrompt, StringComparison.Ordinal);

        await client.GetResponseAsync([new(ChatRole.User, "Hi")]);
        Assert.EndsWith("<|im_start|>assistant\n", model.LastPrompt, StringComparison.Ordinal);

        // The last assistant turn after the last user query keeps its reasoning, as Qwen 3's template writes it.
        ChatMessage answered = new(ChatRole.Assistant, [new TextReasoningContent("Thought."), new TextContent("Answer.")]);
        await client.GetResponseAsync([new(ChatRole.User, "Q"), answered], new ChatOptions { AdditionalProperties = new() { [EngineChatOptions.AddGenerationPrompt] = false } });
        Assert.EndsWith("<|im_start|>assistant\n<think>\nThought.\n</think>\n\nAnswer.<|im_end|>\n", model.LastPrompt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Qwen3_calls_tools_in_its_own_syntax_after_thinking(bool stream)
    {
        var (client, model) = Scripted("qwen3-tokenizer", "<think>\nI need the weather.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");

        var (response, _) = await RunAsync(client, [new(ChatRole.User, "Weather in Paris?")], Tools(), stream);

        Assert.Contains("# Tools", model.LastPrompt, StringComparison.Ordinal);
        Assert.Contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"", model.LastPrompt, StringComparison.Ordinal);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", call.Arguments!["city"]!.ToString());
        Assert.Equal("I need the weather.", Reasoning(response));
        Assert.Equal("", response.Text);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);

        // Sent back: the call and its result in the template's own form.
        await client.GetResponseAsync(
            [new(ChatRole.User, "Weather in Paris?"), new(ChatRole.Assistant, [call]), new(ChatRole.Tool, [new FunctionResultContent(call.CallId, "{\"temp\": 21}")])],
            Tools());
        Assert.Contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", model.LastPrompt, StringComparison.Ordinal);
        Assert.Contains("<|im_start|>user\n<tool_response>\n{\"temp\": 21}\n</tool_response><|im_end|>", model.LastPrompt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Text_before_a_call_streams_as_the_answer_and_the_call_is_still_read(bool stream)
    {
        var (client, _) = Scripted("qwen3-tokenizer", "<think>\nok\n</think>\n\nLet me check that for you.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");

        var (response, updates) = await RunAsync(client, [new(ChatRole.User, "Weather in Paris?")], Tools(), stream);

        Assert.Equal(("Let me check that for you.", ChatFinishReason.ToolCalls), (response.Text, response.FinishReason));
        Assert.Equal("get_weather", Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()).Name);
        Assert.DoesNotContain(updates.SelectMany(u => u.Contents).OfType<TextContent>(), t => t.Text.Contains('<', StringComparison.Ordinal));

        // The grammar lets text come first, then calls; text never holds a call's opening.
        var grammar = StructuredOutput.Create([new(ChatRole.User, "Q")], Tools(), Format("qwen3-tokenizer"), "m").Grammar!;
        Assert.True(grammar.Matches("Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"));
        Assert.True(grammar.Matches("Just an answer."));
        Assert.False(grammar.Matches("Sure. <tool_call> not a call"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gpt_oss_reasons_on_the_analysis_channel_and_answers_on_the_final_one(bool stream)
    {
        var (client, model) = Scripted("gpt-oss-tokenizer", "<|channel|>analysis<|message|>User says hi. Reply.<|end|><|start|>assistant<|channel|>final<|message|>Hello!");

        var (response, _) = await RunAsync(
            client, [new(ChatRole.System, "Be kind."), new(ChatRole.User, "Hi")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } }, stream);

        Assert.Equal("Hello!", response.Text);
        Assert.Equal("User says hi. Reply.", Reasoning(response));

        // Harmony's system block (identity, date, reasoning level, channels); the system message as developer instructions.
        Assert.StartsWith("<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.", model.LastPrompt, StringComparison.Ordinal);
        Assert.Contains("Reasoning: high", model.LastPrompt, StringComparison.Ordinal);
        Assert.Contains("# Valid channels: analysis, commentary, final.", model.LastPrompt, StringComparison.Ordinal);
        Assert.Contains("<|start|>developer<|message|># Instructions\n\nBe kind.", model.LastPrompt, StringComparison.Ordinal);
        Assert.EndsWith("<|start|>user<|message|>Hi<|end|><|start|>assistant", model.LastPrompt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gpt_oss_calls_a_function_on_the_commentary_channel_and_gets_its_result_back(bool stream)
    {
        var (client, model) = Scripted("gpt-oss-tokenizer",
            "<|channel|>analysis<|message|>Need the weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\": \"Paris\"}");

        var (response, _) = await RunAsync(client, [new(ChatRole.User, "Weather in Paris?")], Tools(), stream);

        Assert.Contains("namespace functions {", model.LastPrompt, StringComparison.Ordinal);
        Assert.Contains("type get_weather = (_: {", model.LastPrompt, StringComparison.Ordinal);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("get_weather", "Paris"), (call.Name, call.Arguments!["city"]!.ToString()));
        Assert.Equal("Need the weather.", Reasoning(response));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);

        await client.GetResponseAsync(
            [new(ChatRole.User, "Weather in Paris?"), new(ChatRole.Assistant, [call]), new(ChatRole.Tool, [new FunctionResultContent(call.CallId, "{\"temp\": 21}")])],
            Tools());
        Assert.Contains("<|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{\"city\": \"Paris\"}<|call|>", model.LastPrompt, StringComparison.Ordinal);
        Assert.Contains("<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>\"{\\\"temp\\\": 21}\"<|end|>", model.LastPrompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reasoning_a_prompt_opened_is_reasoning_from_the_first_token()
    {
        var format = new JinjaChatFormat(
            "opened", Inference.Engines.Templates.Jinja.JinjaTemplate.Parse("{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<|assistant|><think>\n{% endif %}"),
            null, new Dictionary<string, string>(), tokenizerAddsBos: false);
        var (client, _) = Scripted(format, "Weighing it.\n</think>\n\nYes.");

        var response = await client.GetResponseAsync("Q?");

        Assert.Equal(("Yes.", "Weighing it."), (response.Text, Reasoning(response)));
    }

    [Fact]
    public async Task A_call_cut_by_the_length_is_never_text_and_reasoning_cut_is_still_reasoning()
    {
        var (client, _) = Scripted("qwen3-tokenizer", "<think>\nok\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"argu" + ScriptedChatClient.CutMarker);
        var response = await client.GetResponseAsync("Weather?", Tools());
        Assert.Equal(("", ChatFinishReason.Length), (response.Text, response.FinishReason));
        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());

        (client, _) = Scripted("qwen3-tokenizer", "<think>\nStill thinking about" + ScriptedChatClient.CutMarker);
        response = await client.GetResponseAsync("Hard question");
        Assert.Equal(("", "Still thinking about", ChatFinishReason.Length), (response.Text, Reasoning(response), response.FinishReason));
    }

    [Fact]
    public async Task A_template_that_raises_is_an_invalid_prompt_with_its_own_message()
    {
        var (client, _) = Scripted("gemma3-tokenizer", "x");

        var error = await Assert.ThrowsAsync<InvalidPromptException>(() => client.GetResponseAsync([new(ChatRole.User, "a"), new(ChatRole.User, "b")]));

        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", error.Message);
    }

    [Fact]
    public void A_schema_holds_the_answer_after_the_reasoning_not_the_reasoning()
    {
        var schema = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":false}""").RootElement) };

        var qwen = StructuredOutput.Create([new(ChatRole.User, "Q")], schema, Format("qwen3-tokenizer"), "m").Grammar!;
        Assert.True(qwen.Matches("<think>\nFree text, even {braces} and <tags>.\n</think>\n\n{\"a\": 1}"));
        Assert.True(qwen.Matches("{\"a\": 1}"));
        Assert.False(qwen.Matches("<think>\nhmm\n</think>\n\nnot json"));
        Assert.False(qwen.Matches("<think>\nhmm\n</think>\n\n{\"b\": 1}"));

        var harmony = StructuredOutput.Create([new(ChatRole.User, "Q")], schema, Format("gpt-oss-tokenizer"), "m").Grammar!;
        Assert.True(harmony.Matches("<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>final<|message|>{\"a\": 2}"));
        Assert.False(harmony.Matches("<|channel|>final<|message|>nope"));
    }

    [Fact]
    public void Each_family_s_call_grammar_holds_the_arguments_to_the_schema()
    {
        var required = Tools(o => o.ToolMode = ChatToolMode.RequireAny);
        var harmony = StructuredOutput.Create([new(ChatRole.User, "Q")], required, Format("gpt-oss-tokenizer"), "m").Grammar!;
        Assert.True(harmony.Matches("<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\": \"Paris\"}"));
        Assert.True(harmony.Matches("<|channel|>analysis<|message|>Hmm.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\": \"Paris\"}"));
        Assert.False(harmony.Matches("<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"town\": \"Paris\"}"));

        var qwen = StructuredOutput.Create([new(ChatRole.User, "Q")], required, Format("qwen3-tokenizer"), "m").Grammar!;
        Assert.True(qwen.Matches("<think>\nok\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"));
        Assert.False(qwen.Matches("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>"));
    }

    [Fact]
    public void Llama3_and_mistral_calls_are_read_back()
    {
        var llama = ToolCallSyntax.Llama3.Parse("<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}")!;
        Assert.Equal(("get_weather", "Paris"), (llama[0].Name, llama[0].Arguments!["city"]!.ToString()));
        Assert.Equal(2, ToolCallSyntax.Llama3.Parse("{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {\"x\": 1}}")!.Count);
        Assert.Null(ToolCallSyntax.Llama3.Parse("Just text."));

        var mistral = ToolCallSyntax.Mistral.Parse("[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"abcDEF123\"}]")!;
        Assert.Equal(("abcDEF123", "get_weather"), (mistral[0].CallId, mistral[0].Name));
        Assert.Single(ToolCallSyntax.Mistral.ParseCompleted("[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {}, \"id\": \"abcdefghi\"}, {\"name\": \"b\", \"argu"));

        var grammar = Inference.Engines.Grammars.GbnfGrammar.Parse(string.Join('\n',
            $"root ::= {ToolCallSyntax.Mistral.CallsRule(parallel: true, max: 4)}",
            $"tool-call ::= {ToolCallSyntax.Mistral.CallRule("get_weather", "args")}",
            "args ::= \"{}\""));
        Assert.True(grammar.Matches("[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {}, \"id\": \"abcDEF123\"}]"));
    }

    [Fact]
    public void Deepseek_and_granite_calls_are_read_back_and_held_by_their_grammar()
    {
        var deepseek = ToolCallSyntax.DeepSeek.Parse(
            "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>")!;
        Assert.Equal(("get_weather", "Paris"), (deepseek[0].Name, deepseek[0].Arguments!["city"]!.ToString()));
        var grammar = Inference.Engines.Grammars.GbnfGrammar.Parse(string.Join('\n',
            $"root ::= {ToolCallSyntax.DeepSeek.CallsRule(parallel: false, max: 1)}",
            $"tool-call ::= {ToolCallSyntax.DeepSeek.CallRule("get_weather", "args")}",
            "args ::= \"{}\""));
        Assert.True(grammar.Matches("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>"));
        Assert.Equal("deepseek-r1", ToolCallSyntax.Detect("{{ '<｜tool▁calls▁begin｜>' }}{% for t in tools %}{% endfor %}")!.Name);

        var granite = ToolCallSyntax.Granite.Parse("<|tool_call|>[{\"name\": \"a\", \"arguments\": {\"x\": 1}}, {\"name\": \"b\", \"arguments\": {}}]")!;
        Assert.Equal(["a", "b"], granite.Select(c => c.Name));
        Assert.Null(ToolCallSyntax.Granite.Parse("<|tool_call|>[{\"name\": \"a\", \"argu"));
    }

    [Fact]
    public async Task A_template_that_concatenates_arguments_as_text_gets_them_as_json_text()
    {
        var format = new JinjaChatFormat(
            "text-arguments",
            Inference.Engines.Templates.Jinja.JinjaTemplate.Parse("{% if tools %}{{ tools | length }}{% endif %}{% for m in messages %}{% if m.tool_calls %}{% for t in m.tool_calls %}{{ 'CALL ' + t.function.name + ' ' + t.function.arguments }}{% endfor %}{% else %}{{ m.role + ': ' + m.content }}{% endif %}{{ '\\n' }}{% endfor %}"),
            null, new Dictionary<string, string>(), tokenizerAddsBos: false);
        var (client, model) = Scripted(format, "ok");

        await client.GetResponseAsync([new(ChatRole.User, "Q"), new(ChatRole.Assistant, [new FunctionCallContent("c1", "f", new Dictionary<string, object?> { ["x"] = 1 })])]);

        Assert.Equal("user: Q\nCALL f {\"x\":1}\n", model.LastPrompt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Command_r_thinks_acts_and_answers_between_its_own_markers(bool stream)
    {
        // A template in Command R's form: its turns, its actions for tools, its thinking and response markers.
        var format = new JinjaChatFormat(
            "command-r",
            Inference.Engines.Templates.Jinja.JinjaTemplate.Parse(
                "{% for m in messages %}<|START_OF_TURN_TOKEN|>{{ m.role }}{{ m.content }}<|END_OF_TURN_TOKEN|>{% endfor %}" +
                "{% if tools %}{{ tools | length }} tools: write <|START_THINKING|>, then <|START_ACTION|>.{% endif %}<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>"),
            null, new Dictionary<string, string>(), tokenizerAddsBos: false);
        Assert.Equal(("command-r", "command-r"), (format.ToolCalls.Name, format.Reasoning?.Name));

        var (client, _) = Scripted(format,
            "<|START_THINKING|>I will look it up.<|END_THINKING|><|START_ACTION|>[\n    {\"tool_call_id\": \"0\", \"tool_name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}\n]<|END_ACTION|>");
        var (acted, _) = await RunAsync(client, [new(ChatRole.User, "Weather in Paris?")], Tools(), stream);
        var call = Assert.Single(acted.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("get_weather", "Paris", "I will look it up.", ChatFinishReason.ToolCalls), (call.Name, call.Arguments!["city"]!.ToString(), Reasoning(acted), acted.FinishReason));

        (client, _) = Scripted(format, "<|START_RESPONSE|>It is sunny in Paris.<|END_RESPONSE|>");
        var (answered, _) = await RunAsync(client, [new(ChatRole.User, "Weather in Paris?")], Tools(), stream);
        Assert.Equal(("It is sunny in Paris.", ChatFinishReason.Stop), (answered.Text, answered.FinishReason));

        var grammar = StructuredOutput.Create([new(ChatRole.User, "Q")], Tools(o => o.ToolMode = ChatToolMode.RequireAny), format, "m").Grammar!;
        Assert.True(grammar.Matches("<|START_THINKING|>Plan.<|END_THINKING|><|START_ACTION|>[{\"tool_call_id\": \"0\", \"tool_name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}]<|END_ACTION|>"));
    }

    private static string Reasoning(ChatResponse response) =>
        string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));

    private static async Task<(ChatResponse Response, List<ChatResponseUpdate> Updates)> RunAsync(IChatClient client, List<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        if (!stream)
        {
            return (await client.GetResponseAsync(messages, options), []);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options))
        {
            updates.Add(update);
        }

        return (updates.ToChatResponse(), updates);
    }
}
