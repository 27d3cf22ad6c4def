using Inference.Engines.Text;
using Inference.Onnx.Templates;
using Inference.Onnx.Tokenization;
using Microsoft.Extensions.AI;

namespace Inference.Onnx.Tests;

public sealed class TokenizerAndTemplateTests
{
    [Theory]
    [InlineData(TestModels.WordnetChat)]
    [InlineData("SmolLM-360M-Instruct-tokenizer")]
    [InlineData(TestModels.TinyGpt2)]
    public void Streaming_decode_never_emits_half_a_character(string model)
    {
        var tokenizer = ModelTokenizerLoader.Load(TestModels.Folder(model));
        const string text = "café naïve — “quotes” 😀 日本 and plain text";
        var ids = tokenizer.Encode(text);
        var decoder = new Utf8TokenDecoder(tokenizer);
        var pieces = ids.Select(id => decoder.Append(id).ToString()).ToList();
        pieces.Add(decoder.Flush().ToString());
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD', StringComparison.Ordinal) || (p.Length > 0 && char.IsHighSurrogate(p[^1])));
        Assert.Contains(pieces, p => p.Length == 0);
        Assert.Equal(text, string.Concat(pieces));
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void SmolLM_tokenizer_matches_special_tokens_and_splits_digits()
    {
        var tokenizer = ModelTokenizerLoader.Load(TestModels.Folder("SmolLM-360M-Instruct-tokenizer"));
        Assert.Equal(TokenizerFamily.ByteLevelBpe, tokenizer.Family);
        var ids = tokenizer.Encode("<|im_start|>user\n2024<|im_end|>");
        Assert.Equal(1, ids[0]);
        Assert.Equal(2, ids[^1]);
        Assert.Equal(["2", "0", "2", "4"], ids[^5..^1].Select(id => tokenizer.Decode([id])));
        Assert.Equal("user\n2024", tokenizer.Decode(ids));
        // Its own template, which writes ChatML.
        var format = Assert.IsType<JinjaChatFormat>(ChatTemplateResolver.Resolve(TestModels.Folder("SmolLM-360M-Instruct-tokenizer")));
        Assert.Equal(
            ChatTemplates.ChatMl.Render([("system", "S"), ("user", "Hi")]),
            format.Render("m", [new(ChatRole.System, "S"), new(ChatRole.User, "Hi")], [], null).Text);
    }

    [Fact]
    public void MiniLM_tokenizer_reproduces_the_reference_ids()
    {
        var tokenizer = ModelTokenizerLoader.Load(TestModels.Folder("all-MiniLM-L6-v2-tokenizer"));
        Assert.Equal(TokenizerFamily.WordPiece, tokenizer.Family);
        Assert.Equal([2054, 2003, 1996, 3007, 1997, 2605, 1029], tokenizer.Encode("What is the capital of France?"));
    }

    [Theory]
    [InlineData("{{ '<|start_header_id|>' + message['role'] }}", "llama3")]
    [InlineData("{{ '<start_of_turn>' + role }}", "gemma")]
    [InlineData("{{ '<|user|>' }}{{ '<|assistant|>' }}{{ '<|end|>' }}", "phi3")]
    [InlineData("{{ '[INST] ' + content + ' [/INST]' }}", "mistral")]
    [InlineData("{{ '<|im_start|>' }}", "chatml")]
    public void Families_are_detected_from_the_jinja_template(string jinja, string expected)
    {
        Assert.Equal(expected, ChatTemplates.Detect(jinja)?.Name);
    }

    [Fact]
    public void Templates_render_as_their_reference_formats()
    {
        (string, string)[] chat = [("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello"), ("user", "Bye")];
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            ChatTemplates.Llama3.Render(chat));
        Assert.Equal(
            "<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n",
            ChatTemplates.Gemma.Render(chat));
        Assert.Equal(
            "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\n",
            ChatTemplates.Phi3.Render(chat));
        Assert.Equal("<s>[INST] Be brief.\n\nHi [/INST]Hello</s>[INST] Bye [/INST]", ChatTemplates.Mistral.Render(chat));
    }

    [Fact]
    public void A_prompt_template_file_overrides_detection()
    {
        var folder = Directory.CreateTempSubdirectory("template-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"chat_template": "{{ '<|im_start|>' }}"}""");
            File.WriteAllText(Path.Combine(folder, PromptTemplateFile.FileName), """
                { "name": "custom", "bos": "", "generation_prompt": "### Assistant:\n",
                  "roles": { "user": { "prefix": "### User:\n", "suffix": "\n" }, "system": { "prefix": "", "suffix": "\n\n" } } }
                """);
            var template = Assert.IsType<BuiltInChatFormat>(ChatTemplateResolver.Resolve(folder)).Family;
            Assert.Equal("custom", template.Name);
            Assert.Equal("Rules\n\n### User:\nHi\n### Assistant:\n", template.Render([("system", "Rules"), ("user", "Hi")]));
            Assert.False(template.SupportsRole("assistant"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_seed_style_prompt_template_file_with_system_parts_overrides_the_models_template()
    {
        var folder = Directory.CreateTempSubdirectory("template-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"chat_template": "{{ '<|im_start|>' }}"}""");
            File.WriteAllText(Path.Combine(folder, PromptTemplateFile.FileName), """
                { "name": "Gemma-3", "system_prefix": "<sys>", "system_suffix": "</sys>\n",
                  "user_prefix": "<start_of_turn>user\n", "user_suffix": "<end_of_turn>\n",
                  "model_prefix": "<start_of_turn>model\n", "model_suffix": "<end_of_turn>\n" }
                """);
            var template = Assert.IsType<BuiltInChatFormat>(ChatTemplateResolver.Resolve(folder)).Family;
            Assert.Equal("Gemma-3", template.Name);
            Assert.Equal(
                "<sys>Rules</sys>\n<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n",
                template.Render([("system", "Rules"), ("user", "Hi"), ("assistant", "Hello"), ("user", "Bye")]));
            Assert.Equal(["<end_of_turn>"], template.Stop);
            Assert.False(template.SystemInFirstUser);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_onnx_engine_answers_through_a_seed_style_template_file()
    {
        var folder = Directory.CreateTempSubdirectory("wordnet-seed-template-").FullName;
        try
        {
            var source = TestModels.Folder(TestModels.WordnetChat);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(folder, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            File.WriteAllText(Path.Combine(folder, PromptTemplateFile.FileName), """
                { "name": "wordnet-seed", "user_prefix": "<|im_start|>user\n", "user_suffix": "<|im_end|>\n",
                  "model_prefix": "<|im_start|>assistant\n", "model_suffix": "<|im_end|>\n" }
                """);
            using var model = Chat.LocalChatModel.Load("w", folder, TestModels.Options);
            Assert.Equal("wordnet-seed", model.Format!.Name);
            using var client = new Chat.OnnxChatClient(model);
            var response = await client.GetResponseAsync("What does \"dog\" mean?");
            Assert.Equal("dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", response.Text);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("World", new[] { "Hello Wo", "r", "ld!" }, "Hello ", "")]
    [InlineData("abc", new[] { "xa", "b", "c!" }, "x", "abc")]
    [InlineData("abc", new[] { "ab", "x", "abc" }, "abx", "abc")]
    public void Stop_sequences_split_across_pieces_are_found(string stop, string[] pieces, string expected, string _)
    {
        var matcher = new StopSequenceMatcher([stop]);
        var emitted = "";
        foreach (var piece in pieces)
        {
            emitted += matcher.Push(piece);
            if (matcher.Stopped)
            {
                break;
            }
        }

        Assert.True(matcher.Stopped);
        Assert.Equal(expected, emitted);
    }
}
