using Inference.Engines.Grammars;
using Inference.Onnx.Generation;
using Inference.Onnx.Models;
using Inference.Onnx.Scheduling;
using Inference.Engines.Templates;
using Inference.Onnx.Templates;
using Inference.Onnx.Tokenization;

namespace Inference.Onnx.Chat;

/// <summary>A loaded causal language model: graph, tokenizer, chat template, generation defaults and request queue.</summary>
public sealed class LocalChatModel : IDisposable
{
    private readonly Lazy<TokenTrie> _trie;

    private LocalChatModel(string id, string folder, ModelConfig config, ModelTokenizer tokenizer, ChatFormat? format, DecoderModel decoder, OnnxEngineOptions options)
    {
        Id = id;
        Folder = folder;
        Config = config;
        Format = format;
        tokenizer.Show(format?.Markup ?? []);
        Generator = new TextGenerator(decoder, tokenizer);
        Batch = options.ChatBatchSize > 1 && decoder.CanBatch ? new DecodeBatch(Generator, id, options.ChatBatchSize) : null;
        Queue = new ModelRequestQueue(id, Batch?.Capacity ?? options.MaxConcurrentRequests, options.MaxQueuedRequests);
        EngineTelemetry.Track(Queue);
        // Only ids the graph has logits for: a tokenizer may know more tokens than the model was trained on.
        _trie = new Lazy<TokenTrie>(() => new TokenTrie(Math.Min(tokenizer.VocabularySize, decoder.VocabSize), id => tokenizer.GetTokenBytes(id).ToArray()));
        StopTokenIds = (HashSet<int>)[.. config.EosTokenIds, .. (format?.Stop ?? []).Select(tokenizer.TokenId).OfType<int>()];
    }

    public string Id { get; }

    public string Folder { get; }

    public ModelConfig Config { get; }

    /// <summary>How conversations become the model's prompt; null when it has no template (raw prompts only).</summary>
    public ChatFormat? Format { get; }

    /// <summary>The ONNX file loaded, of those the folder holds.</summary>
    public required string OnnxPath { get; init; }

    /// <summary>Parameter count and storage precision, read from the ONNX file.</summary>
    public required OnnxWeights Weights { get; init; }

    public TextGenerator Generator { get; }

    /// <summary>Decodes the model's concurrent requests together, or null when each runs on its own (see <see cref="OnnxEngineOptions.ChatBatchSize"/>).</summary>
    public DecodeBatch? Batch { get; }

    public ModelTokenizer Tokenizer => Generator.Tokenizer;

    public int ContextLength => Generator.Model.ContextLength;

    public ModelRequestQueue Queue { get; }

    /// <summary>The vocabulary as a trie for grammar-constrained decoding, built on first use.</summary>
    public TokenTrie Trie => _trie.Value;

    /// <summary>EOS ids from the configs plus the template's end-of-turn tokens.</summary>
    public IReadOnlyCollection<int> StopTokenIds { get; }

    /// <summary>Generates in the model's batch when it has one, else on its own; call within a <see cref="Queue"/> lease.</summary>
    public IAsyncEnumerable<GenerationChunk> GenerateAsync(int[] promptIds, GenerationSettings settings, GrammarConstraint? constraint, CancellationToken cancellationToken) =>
        Batch is { } batch
            ? batch.GenerateAsync(promptIds, settings, constraint, cancellationToken)
            : Generator.GenerateAsync(promptIds, settings, constraint, cancellationToken);

    public static LocalChatModel Load(string id, string folder, OnnxEngineOptions options, string? chatTemplate = null)
    {
        if (!Directory.Exists(folder))
        {
            throw new ModelFolderException(folder, "the folder does not exist");
        }

        var config = ModelConfig.Load(folder);
        var tokenizer = ModelTokenizerLoader.Load(folder);
        var format = ChatTemplateResolver.Resolve(folder, chatTemplate);
        var onnxPath = ModelPrecision.Resolve(folder, options.Precision);
        var weights = OnnxWeightsInspector.Inspect(onnxPath);
        var session = OnnxSessionFactory.Create(folder, onnxPath, options);
        try
        {
            return new LocalChatModel(id, folder, config, tokenizer, format, new DecoderModel(session, config, folder), options) { Weights = weights, OnnxPath = onnxPath };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Queue.Dispose();
        Batch?.Dispose();
        Generator.Model.Dispose();
    }
}
