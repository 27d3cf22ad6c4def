using Inference.Engines.Templates;
using Inference.LlamaCpp.Gguf;
using Inference.LlamaCpp.Native;
using Inference.LlamaCpp.Scheduling;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Extensions;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Inference.LlamaCpp;

/// <summary>
/// A GGUF chat model loaded in llama.cpp: its weights, one context (key/value cache) shared by every request, the
/// prompt format, the vocabulary, and the scheduler that batches requests on it.
/// </summary>
public sealed class LlamaChatModel : IDisposable
{
    private const int DefaultContextCap = 4096;

    private readonly LLamaWeights _weights;
    private readonly SafeLLamaContextHandle _context;

    private LlamaChatModel(string id, GgufFile file, LLamaWeights weights, SafeLLamaContextHandle context, int contextLength, ChatFormat? format, LlamaVocabulary vocabulary, LlamaScheduler scheduler)
    {
        Id = id;
        File = file;
        _weights = weights;
        _context = context;
        ContextLength = contextLength;
        Format = format;
        Vocabulary = vocabulary;
        Scheduler = scheduler;
    }

    public string Id { get; }

    /// <summary>The GGUF file loaded, with its metadata.</summary>
    public GgufFile File { get; }

    /// <summary>Tokens one request may hold, prompt plus completion.</summary>
    public int ContextLength { get; }

    /// <summary>The chat format's name; null when the model has none (raw prompts only).</summary>
    public string? ChatTemplate => Format?.Name;

    /// <summary>Requests waiting, running, key/value cells: what the engine's gauges report.</summary>
    public IModelRuntimeStatus Status => Scheduler;

    public long RequestCount => Scheduler.Admitted;

    /// <summary>How conversations become the model's prompt; null when it has none (raw prompts only).</summary>
    public ChatFormat? Format { get; }

    internal LlamaVocabulary Vocabulary { get; }

    internal LlamaScheduler Scheduler { get; }

    /// <summary>Loads the folder's preferred GGUF file (or the file named); any problem names the file and its cause.</summary>
    public static LlamaChatModel Load(ModelLoadRequest request, LlamaCppEngineOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var path = GgufFolder.Select(request.Path, options.QuantizationOrder)
            ?? throw new ModelFolderException(request.Path, $"no {GgufFolder.Extension} model file found");
        var file = GgufFile.Read(path);
        if (file.Type is { } type && type != "model")
        {
            throw new ModelFolderException(path, $"is a GGUF {type} file, not a model");
        }

        LlamaNativeLibrary.EnsureLoaded(options, logger, path);
        var contextLength = options.ContextLength > 0 ? options.ContextLength : Math.Min(file.ContextLength ?? DefaultContextCap, DefaultContextCap);
        var kvCells = options.KvCacheSize > 0 ? options.KvCacheSize : contextLength * (options.MaxSequences + 1);
        if (kvCells < contextLength)
        {
            throw new ModelFolderException(path, $"Inference:LlamaCpp:KvCacheSize ({kvCells}) is smaller than one request's context ({contextLength} tokens)");
        }

        if (file.ContextLength is int trained && contextLength > trained)
        {
            LlamaCppLog.BeyondTrainingContext(logger, request.Id, contextLength, trained);
        }

        var threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)kvCells,
            KVUnified = true,
            BatchSize = (uint)(options.StepTokenBudget + options.MaxSequences),
            UBatchSize = (uint)Math.Min(options.StepTokenBudget + options.MaxSequences, 512),
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = options.GpuLayers ?? (NativeApi.llama_supports_gpu_offload() ? 999 : 0),
        };

        var weights = LoadWeights(parameters, path);
        try
        {
            var prefixEntries = PrefixEntries(request.Id, weights, options, logger);
            parameters.SeqMax = (uint)(options.MaxSequences + prefixEntries);
            if (parameters.SeqMax > NativeApi.llama_max_parallel_sequences())
            {
                throw new ModelFolderException(path, $"MaxSequences + PrefixCacheEntries ({parameters.SeqMax}) is more than llama.cpp's {NativeApi.llama_max_parallel_sequences()} sequences");
            }

            LlamaCppLog.Loading(logger, request.Id, path, file.Quantization, file.Architecture, file.ParameterCount, options.MaxSequences, contextLength, kvCells, threads);
            var context = CreateContext(weights, parameters, path);
            var format = FindFormat(request, file, weights.NativeHandle);
            var vocabulary = new LlamaVocabulary(weights.NativeHandle, format?.Stop ?? [], format?.Markup ?? []);
            var settings = new SchedulerSettings(request.Id, options.MaxSequences, contextLength, options.StepTokenBudget, options.MaxQueuedRequests, prefixEntries);
            return new LlamaChatModel(request.Id, file, weights, context, contextLength, format, vocabulary, new LlamaScheduler(context, vocabulary, settings, logger));
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Scheduler.Dispose();
        _context.Dispose();
        _weights.Dispose();
    }

    private static LLamaWeights LoadWeights(ModelParams parameters, string path)
    {
        try
        {
            return LLamaWeights.LoadFromFile(parameters);
        }
        catch (LoadWeightsFailedException ex)
        {
            throw new ModelFolderException(path, $"llama.cpp could not load it ({LlamaNativeLibrary.LastProblem() ?? "it gave no reason"})", ex);
        }
    }

    /// <summary>
    /// The context, with room for logits of one token per sequence a step (llama.cpp wants room for one per sequence
    /// id): a step never asks for more, and llama.cpp would otherwise reserve a batch's worth, tens of MiB for a large
    /// vocabulary.
    /// </summary>
    private static SafeLLamaContextHandle CreateContext(LLamaWeights weights, ModelParams parameters, string path)
    {
        try
        {
            parameters.ToLlamaContextParams(out var native);
            native.n_outputs_max = parameters.SeqMax;
            return SafeLLamaContextHandle.Create(weights.NativeHandle, native);
        }
        catch (RuntimeError ex)
        {
            throw new ModelFolderException(path, $"llama.cpp could not create its context of {parameters.ContextSize} cells ({LlamaNativeLibrary.LastProblem() ?? ex.Message})", ex);
        }
    }

    /// <summary>Prefix reuse copies cells between sequences, which sliding-window and recurrent models cannot do.</summary>
    private static int PrefixEntries(string id, LLamaWeights weights, LlamaCppEngineOptions options, ILogger logger)
    {
        if (!options.PrefixCache || options.PrefixCacheEntries == 0)
        {
            return 0;
        }

        var model = weights.NativeHandle;
        var reason = model.IsRecurrent ? "a recurrent model" : model.SWACount > 0 ? "a sliding-window model" : null;
        if (reason is not null)
        {
            LlamaCppLog.PrefixCacheOff(logger, id, reason);
            return 0;
        }

        return options.PrefixCacheEntries;
    }

    /// <summary>
    /// The model's chat format (see <see cref="ChatTemplateSources"/>): configured, the folder's files, then the GGUF's
    /// own <c>tokenizer.chat_template</c>, rendered with its BOS and EOS as the vocabulary writes them.
    /// </summary>
    private static ChatFormat? FindFormat(ModelLoadRequest request, GgufFile file, SafeLlamaModelHandle model)
    {
        var folder = Directory.Exists(request.Path) ? request.Path : Path.GetDirectoryName(file.Path)!;
        var vocab = model.Vocab;
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        if (vocab.BOS is { } bos)
        {
            tokens["bos_token"] = LlamaVocabulary.Text(model, (int)bos);
        }

        if (vocab.EOS is { } eos)
        {
            tokens["eos_token"] = LlamaVocabulary.Text(model, (int)eos);
        }

        return ChatTemplateSources.Find(folder, request.ChatTemplate, (file.ChatTemplate, file.String("tokenizer.chat_template.tool_use")), tokens);
    }
}
