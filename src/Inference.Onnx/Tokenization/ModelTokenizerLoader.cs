using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Inference.Onnx.Models;
using Microsoft.ML.Tokenizers;

namespace Inference.Onnx.Tokenization;

/// <summary>
/// Builds a <see cref="ModelTokenizer"/> from a Hugging Face model folder: <c>tokenizer.json</c> decides the family;
/// SentencePiece models load <c>tokenizer.model</c>, byte-level BPE models their vocabulary and merges, BERT models
/// their WordPiece vocabulary.
/// </summary>
public static class ModelTokenizerLoader
{
    // GPT-2's pre-tokenizer split; the second form keeps digits apart, as the "Digits(individual)" pre-tokenizer does.
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    private const string Gpt2SingleDigitPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static ModelTokenizer Load(string folder)
    {
        var tokenizerConfig = JsonFile.ReadOptional(folder, "tokenizer_config.json");
        using var tokenizerJson = ReadTokenizerJson(folder);
        var root = tokenizerJson?.RootElement;
        var model = root is { } r && r.TryGetProperty("model", out var m) ? m : (JsonElement?)null;

        var specials = ReadSpecialTokens(root, tokenizerConfig);
        var added = ReadAddedTokens(root, specials);
        var family = DetectFamily(folder, root, model, tokenizerConfig.String("tokenizer_class"));
        var maxLength = tokenizerConfig.Int("model_max_length") is int n and > 0 and < 1_000_000 ? n : (int?)null;

        try
        {
            var tokenizer = family switch
            {
                TokenizerFamily.SentencePiece => LoadSentencePiece(folder, model, specials, maxLength),
                TokenizerFamily.SentencePieceBpe => LoadSentencePieceBpe(model!.Value, added, specials, maxLength),
                TokenizerFamily.ByteLevelBpe => LoadByteLevelBpe(folder, root, model, added, specials, maxLength),
                _ => LoadWordPiece(folder, model, specials, tokenizerConfig.Bool("do_lower_case") ?? LowerCaseFromJson(root), maxLength),
            };

            // The BOS a tokenizer adds with its special tokens (add_bos_token), for inspecting prompts as transformers encodes them.
            if (tokenizerConfig.Bool("add_bos_token") == true && tokenizerConfig.TokenString("bos_token") is { } bos && specials.TryGetValue(bos, out var bosId))
            {
                tokenizer.BosTokenId = bosId;
            }

            return tokenizer;
        }
        catch (Exception ex) when (ex is not ModelFolderException)
        {
            throw new ModelFolderException(folder, $"the {family} tokenizer could not be built ({ex.Message})", ex);
        }
    }

    private static JsonDocument? ReadTokenizerJson(string folder)
    {
        var path = Path.Combine(folder, "tokenizer.json");
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new ModelFolderException(folder, $"tokenizer.json is not valid JSON ({ex.Message})", ex);
        }
    }

    private static TokenizerFamily DetectFamily(string folder, JsonElement? root, JsonElement? model, string? tokenizerClass)
    {
        if (model is { } m && m.TryGetProperty("type", out var type))
        {
            return type.GetString() switch
            {
                "WordPiece" => TokenizerFamily.WordPiece,
                "BPE" when HasStep(root, "pre_tokenizer", "ByteLevel") || HasStep(root, "decoder", "ByteLevel") => TokenizerFamily.ByteLevelBpe,
                "BPE" when !File.Exists(Path.Combine(folder, "tokenizer.model")) => TokenizerFamily.SentencePieceBpe,
                "BPE" or "Unigram" => TokenizerFamily.SentencePiece,
                var other => throw new ModelFolderException(folder, $"tokenizer.json has an unsupported model type '{other}'"),
            };
        }

        if (File.Exists(Path.Combine(folder, "tokenizer.model")))
        {
            return TokenizerFamily.SentencePiece;
        }

        if (File.Exists(Path.Combine(folder, "vocab.json")) && File.Exists(Path.Combine(folder, "merges.txt")))
        {
            return TokenizerFamily.ByteLevelBpe;
        }

        if (File.Exists(Path.Combine(folder, "vocab.txt")) || tokenizerClass?.Contains("Bert", StringComparison.Ordinal) == true)
        {
            return TokenizerFamily.WordPiece;
        }

        throw new ModelFolderException(folder, "no tokenizer found (expected tokenizer.json, tokenizer.model, vocab.json + merges.txt, or vocab.txt)");
    }

    private static Dictionary<string, int> ReadSpecialTokens(JsonElement? root, System.Text.Json.Nodes.JsonObject? tokenizerConfig)
    {
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root is { } r && r.TryGetProperty("added_tokens", out var added))
        {
            foreach (var token in added.EnumerateArray())
            {
                if (token.TryGetProperty("special", out var special) && special.GetBoolean())
                {
                    specials[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
                }
            }
        }
        else if (tokenizerConfig?["added_tokens_decoder"] is System.Text.Json.Nodes.JsonObject decoder)
        {
            foreach (var (id, token) in decoder)
            {
                if (token is System.Text.Json.Nodes.JsonObject t && t.Bool("special") == true && int.TryParse(id, out var i))
                {
                    specials[t.String("content")!] = i;
                }
            }
        }

        return specials;
    }

    /// <summary>Every added token (special or not), matched as a unit in text: Qwen's &lt;think&gt; is added but not special.</summary>
    private static Dictionary<string, int> ReadAddedTokens(JsonElement? root, Dictionary<string, int> specials)
    {
        var added = new Dictionary<string, int>(specials, StringComparer.Ordinal);
        if (root is { } r && r.TryGetProperty("added_tokens", out var tokens))
        {
            foreach (var token in tokens.EnumerateArray())
            {
                added[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            }
        }

        return added;
    }

    private static ModelTokenizer LoadSentencePieceBpe(JsonElement model, Dictionary<string, int> added, Dictionary<string, int> specials, int? maxLength)
    {
        var bpe = new SentencePieceBpe(model, added);
        // Added tokens go through the decoder as the vocabulary's pieces do ('▁' is a space in them too).
        var table = BuildTable(bpe.Vocabulary.Concat(added), specials, SentencePieceBpe.PieceBytes);
        return new ModelTokenizer(null, TokenizerFamily.SentencePieceBpe, table, specials, maxLength, bpe.Encode);
    }

    private static ModelTokenizer LoadSentencePiece(string folder, JsonElement? model, Dictionary<string, int> specials, int? maxLength)
    {
        var modelPath = Path.Combine(folder, "tokenizer.model");
        if (!File.Exists(modelPath))
        {
            throw new ModelFolderException(folder, "a SentencePiece tokenizer needs tokenizer.model, which is missing");
        }

        using var stream = File.OpenRead(modelPath);
        var tokenizer = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false, specialTokens: specials);
        var vocab = model is { } m && m.TryGetProperty("vocab", out var v) && v.ValueKind == JsonValueKind.Object
            ? v.EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32()))
            : tokenizer.Vocabulary;
        return new ModelTokenizer(tokenizer, TokenizerFamily.SentencePiece, BuildTable(vocab, specials, SentencePieceBytes), specials, maxLength);
    }

    private static ModelTokenizer LoadByteLevelBpe(string folder, JsonElement? root, JsonElement? model, Dictionary<string, int> added, Dictionary<string, int> specials, int? maxLength)
    {
        List<KeyValuePair<string, int>> vocab;
        List<string> merges;
        if (model is { } m)
        {
            vocab = [.. m.GetProperty("vocab").EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32()))];
            merges = [.. m.GetProperty("merges").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Array
                ? $"{e[0].GetString()} {e[1].GetString()}"
                : e.GetString()!)];
        }
        else
        {
            using var vocabJson = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "vocab.json")));
            vocab = [.. vocabJson.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32()))];
            merges = [.. File.ReadLines(Path.Combine(folder, "merges.txt")).Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal))];
        }

        var pattern = PreTokenizerPattern(root);
        var options = new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = added,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), added),
        };
        var tokenizer = BpeTokenizer.Create(options);
        return new ModelTokenizer(tokenizer, TokenizerFamily.ByteLevelBpe, BuildTable(vocab, specials, ByteLevelAlphabet.ToBytes, added), specials, maxLength);
    }

    private static ModelTokenizer LoadWordPiece(string folder, JsonElement? model, Dictionary<string, int> specials, bool lowerCase, int? maxLength)
    {
        var vocabPath = Path.Combine(folder, "vocab.txt");
        List<KeyValuePair<string, int>> vocab;
        if (File.Exists(vocabPath))
        {
            vocab = [.. File.ReadLines(vocabPath).Select((token, id) => new KeyValuePair<string, int>(token, id))];
        }
        else if (model is { } m && m.TryGetProperty("vocab", out var v))
        {
            vocab = [.. v.EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32())).OrderBy(p => p.Value)];
        }
        else
        {
            throw new ModelFolderException(folder, "a WordPiece tokenizer needs vocab.txt or a vocabulary in tokenizer.json");
        }

        using var vocabStream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', vocab.Select(p => p.Key)) + "\n"));
        var tokenizer = BertTokenizer.Create(vocabStream, new BertOptions { LowerCaseBeforeTokenization = lowerCase });
        return new ModelTokenizer(tokenizer, TokenizerFamily.WordPiece, BuildTable(vocab, specials, WordPieceBytes), specials, maxLength);
    }

    private static bool LowerCaseFromJson(JsonElement? root) =>
        root is not { } r || !r.TryGetProperty("normalizer", out var n) || n.ValueKind != JsonValueKind.Object
        || !n.TryGetProperty("lowercase", out var lc) || lc.ValueKind != JsonValueKind.False;

    /// <summary>True when the pre-tokenizer or decoder of tokenizer.json is, or has a step, of this type.</summary>
    private static bool HasStep(JsonElement? root, string section, string type) =>
        Steps(root, section).Any(step => step.TryGetProperty("type", out var t) && t.GetString() == type);

    private static IEnumerable<JsonElement> Steps(JsonElement? root, string section)
    {
        if (root is not { } r || !r.TryGetProperty(section, out var node) || node.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return node.TryGetProperty("pretokenizers", out var list) || node.TryGetProperty("decoders", out list) ? list.EnumerateArray().ToList() : [node];
    }

    /// <summary>
    /// The split regex of the pre-tokenizer: a "Split" step's own regex (Llama-3, Qwen2 state theirs in tokenizer.json),
    /// else GPT-2's, with digits kept apart when a "Digits(individual_digits)" step precedes it (SmolLM).
    /// </summary>
    private static string PreTokenizerPattern(JsonElement? root)
    {
        var singleDigits = false;
        foreach (var step in Steps(root, "pre_tokenizer"))
        {
            switch (step.TryGetProperty("type", out var t) ? t.GetString() : null)
            {
                case "Split" when step.TryGetProperty("pattern", out var p) && p.TryGetProperty("Regex", out var regex):
                    return regex.GetString()!;
                case "Digits" when step.TryGetProperty("individual_digits", out var d) && d.ValueKind == JsonValueKind.True:
                    singleDigits = true;
                    break;
            }
        }

        return singleDigits ? Gpt2SingleDigitPattern : Gpt2Pattern;
    }

    /// <summary>Each id's bytes: the vocabulary's pieces as the family writes them, added tokens as their text.</summary>
    private static byte[][] BuildTable(IEnumerable<KeyValuePair<string, int>> vocab, Dictionary<string, int> specials, Func<string, byte[]> toBytes, Dictionary<string, int>? added = null)
    {
        var entries = vocab.ToList();
        var size = new[] { entries.Count == 0 ? 0 : entries.Max(e => e.Value), specials.Count == 0 ? 0 : specials.Values.Max(), added is { Count: > 0 } ? added.Values.Max() : 0 }.Max() + 1;
        var table = new byte[size][];
        Array.Fill(table, []);
        foreach (var (token, id) in entries)
        {
            table[id] = toBytes(token);
        }

        foreach (var (token, id) in added ?? [])
        {
            table[id] = Encoding.UTF8.GetBytes(token);
        }

        return table;
    }

    private static byte[] SentencePieceBytes(string piece)
    {
        // Byte-fallback pieces look like "<0x0A>".
        if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
        {
            return [b];
        }

        return Encoding.UTF8.GetBytes(piece.Replace('\u2581', ' '));
    }

    private static byte[] WordPieceBytes(string token) =>
        Encoding.UTF8.GetBytes(token.StartsWith("##", StringComparison.Ordinal) ? token[2..] : " " + token);
}
