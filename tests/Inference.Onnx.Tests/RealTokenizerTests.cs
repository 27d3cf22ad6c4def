using System.Text.Json;
using Inference.Engines;
using Inference.Onnx.Tokenization;

namespace Inference.Onnx.Tests;

/// <summary>
/// The tokenizers of the seeds' real models (Qwen 3 and GPT-OSS's byte-level BPE with their split regexes, Gemma 3's
/// SentencePiece-style BPE with byte fallback), loaded from their <c>tokenizer.json</c>, reproduce the reference
/// tokenizer's ids and decoding for every case of their <c>reference.json</c>, special tokens in text included.
/// </summary>
public sealed class RealTokenizerTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in new[] { "qwen3-tokenizer", "gpt-oss-tokenizer", "gemma3-tokenizer" })
        {
            var count = Reference(model).GetProperty("cases").GetArrayLength();
            for (var i = 0; i < count; i++)
            {
                data.Add(model, i);
            }
        }

        return data;
    }

    private static JsonElement Reference(string model) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestModels.Folder(model), "reference.json"))).RootElement;

    private static readonly Dictionary<string, ModelTokenizer> Loaded = [];

    private static ModelTokenizer Tokenizer(string model)
    {
        lock (Loaded)
        {
            return Loaded.TryGetValue(model, out var tokenizer) ? tokenizer : Loaded[model] = ModelTokenizerLoader.Load(TestModels.Folder(model));
        }
    }

    [Fact]
    public void A_gemma_prompt_has_its_bos_once_the_template_writes_it_and_the_tokenizer_adds_none()
    {
        var format = Inference.Engines.Templates.ChatTemplateSources.Find(TestModels.Folder("gemma3-tokenizer"), null)!;
        var prompt = format.Render("gemma", [new(Microsoft.Extensions.AI.ChatRole.User, "Hi")], [], null).Text;

        var ids = Tokenizer("gemma3-tokenizer").Encode(prompt);

        Assert.StartsWith("<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n", prompt, StringComparison.Ordinal);
        Assert.Equal(2, ids[0]);
        Assert.Single(ids, id => id == 2);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ids_and_decoding_are_the_reference_s(string model, int index)
    {
        var c = Reference(model).GetProperty("cases")[index];
        IPromptTokenizer tokenizer = Tokenizer(model);
        var text = c.GetProperty("text").GetString()!;
        var expected = c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToList();

        var ids = tokenizer.Tokenize(text, c.GetProperty("add_special_tokens").GetBoolean());

        Assert.Equal(expected, ids);
        Assert.Equal(c.GetProperty("decoded").GetString(), tokenizer.Detokenize(expected));
    }
}
