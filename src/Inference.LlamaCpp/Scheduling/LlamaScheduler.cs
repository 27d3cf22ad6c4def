using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Inference.Engines.Grammars;
using Inference.Engines.Text;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// Continuous batching for one model: it owns the model's llama.cpp context, and the process's compute thread
/// (<see cref="LlamaComputeThread"/>) runs its decode steps, in turn with other models'. Between steps new requests join (while a sequence slot and key/value room are free; otherwise they wait, and beyond the
/// queue limit they are refused as busy) and finished or abandoned ones leave. Each step carries one token for every
/// decoding sequence plus prompt chunks within the step's token budget, so a long prompt never stalls the streams
/// already running. Admission reserves a sequence's worst case (prompt plus every token it may generate), so running
/// sequences always have the cells they need; finished sequences' cells are kept for prefix reuse in whatever the
/// reservations leave, and evicted least recently used first.
/// </summary>
internal sealed class LlamaScheduler : IModelRuntimeStatus, IDisposable
{
    private readonly SafeLLamaContextHandle _context;
    private readonly LlamaVocabulary _vocabulary;
    private readonly SchedulerSettings _settings;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<SequenceRequest> _submitted = new();
    private readonly List<SequenceRequest> _waiting = [];
    private readonly List<ActiveSequence> _active = [];
    private readonly List<ActiveSequence> _finished = [];
    private readonly Stack<int> _freeIds = new();
    private readonly PrefixCache? _prefix;
    private readonly KvLedger _ledger = new();
    private readonly LLamaBatch _batch = new();
    private readonly TokenRate _rate = new();
    private readonly KeyValuePair<string, object?> _tag;
    private byte[] _scratch = new byte[64];
    private int _queued;
    private int _running;
    private int _kvUsed;
    private int _kept;
    private long _admitted;
    private volatile bool _stopping;
    private volatile Exception? _fault;

    public LlamaScheduler(SafeLLamaContextHandle context, LlamaVocabulary vocabulary, SchedulerSettings settings, ILogger logger)
    {
        _context = context;
        _vocabulary = vocabulary;
        _settings = settings;
        _logger = logger;
        _tag = EngineTelemetry.Tag(settings.Model);
        Capacity = (int)context.ContextSize;
        _prefix = settings.PrefixEntries > 0 ? new PrefixCache(settings.PrefixEntries) : null;
        for (var id = settings.MaxSequences + settings.PrefixEntries - 1; id >= 0; id--)
        {
            _freeIds.Push(id);
        }

        EngineTelemetry.Track(this);
        LlamaComputeThread.Add(this);
    }

    public string Model => _settings.Model;

    /// <summary>Key/value cells in all, shared by every sequence and kept prefix.</summary>
    public int Capacity { get; }

    public int QueueDepth => Volatile.Read(ref _queued);

    public int QueueCapacity => _settings.MaxQueuedRequests;

    public int ActiveSequences => Volatile.Read(ref _running);

    public int MaxSequences => _settings.MaxSequences;

    public int KvCellsUsed => Volatile.Read(ref _kvUsed);

    int? IModelRuntimeStatus.KvCellsUsed => KvCellsUsed;

    int? IModelRuntimeStatus.KvCellsCapacity => Capacity;

    public double TokensPerSecond => _rate.PerSecond();

    /// <summary>Requests that have started running since the model was loaded.</summary>
    public long Admitted => Interlocked.Read(ref _admitted);

    public bool ReusesPrefixes => _prefix is not null;

    /// <summary>Finished sequences whose cells are kept for reuse now.</summary>
    public int KeptPrefixes => Volatile.Read(ref _kept);

    /// <summary>Queues a request; throws <see cref="ModelBusyException"/> when the queue is full.</summary>
    public void Submit(SequenceRequest request)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (_fault is { } fault)
        {
            throw new InvalidOperationException($"Model '{Model}' stopped after a fault: {fault.Message}", fault);
        }

        if (Interlocked.Increment(ref _queued) + Volatile.Read(ref _running) > _settings.MaxSequences + _settings.MaxQueuedRequests)
        {
            Interlocked.Decrement(ref _queued);
            EngineTelemetry.Rejected.Add(1, _tag);
            throw new ModelBusyException(Model, _settings.MaxQueuedRequests);
        }

        _submitted.Enqueue(request);
        LlamaComputeThread.Wake();
    }

    /// <summary>Wakes the scheduler so that it notices a request given up while nothing else is happening.</summary>
    public static void Nudge() => LlamaComputeThread.Wake();

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        LlamaComputeThread.Remove(this, () =>
        {
            if (_fault is null)
            {
                Shutdown(null);
            }
        });
        EngineTelemetry.Untrack(this);
    }

    /// <summary>
    /// One turn on the compute thread: take new requests, admit what fits, run one decode step. False when there was
    /// nothing to decode, so the thread may sleep until it is woken.
    /// </summary>
    internal bool RunOnce()
    {
        if (_stopping || _fault is not null)
        {
            return false;
        }

        try
        {
            Intake();
            Admit();
            if (_active.Count == 0)
            {
                Publish();
                return false;
            }

            Step();
            return true;
        }
        catch (Exception ex)
        {
            _fault = ex;
            LlamaCppLog.SchedulerCrashed(_logger, Model, ex);
            Shutdown(ex);
            return false;
        }
    }

    private void Intake()
    {
        while (_submitted.TryDequeue(out var request))
        {
            _waiting.Add(request);
        }

        for (var i = _waiting.Count - 1; i >= 0; i--)
        {
            if (_waiting[i] is { IsAbandoned: true } request)
            {
                _waiting.RemoveAt(i);
                Interlocked.Decrement(ref _queued);
                request.Output.Writer.TryComplete(new OperationCanceledException(request.Cancellation));
            }
        }
    }

    private void Admit()
    {
        while (_waiting.Count > 0 && _active.Count < _settings.MaxSequences)
        {
            var request = _waiting[0];
            var (entry, shared) = _prefix?.Find(request.Prompt) ?? (null, 0);
            if (!MakeRoom(request, ref entry, ref shared))
            {
                return; // the head waits for cells; later requests wait behind it, in order
            }

            _waiting.RemoveAt(0);
            Interlocked.Decrement(ref _queued);
            var sequenceId = _freeIds.Pop();
            var holding = new KvHolding();
            if (entry is not null)
            {
                _context.MemorySequenceCopy((LLamaSeqId)entry.SequenceId, (LLamaSeqId)sequenceId, 0, shared);
                holding = entry.Holding.Prefix(shared);
            }

            if (_prefix is not null)
            {
                EngineTelemetry.PrefixLookups.Add(1, _tag);
                if (shared > 0)
                {
                    EngineTelemetry.PrefixHits.Add(1, _tag);
                    EngineTelemetry.PrefixReusedTokens.Add(shared, _tag);
                }
            }

            _active.Add(new ActiveSequence(request, sequenceId, holding, _settings.ContextLength, _vocabulary, _tag));
            Interlocked.Increment(ref _running);
            Interlocked.Increment(ref _admitted);
        }
    }

    /// <summary>
    /// Evicts kept prefixes until the request's reservation fits beside the running ones': the candidate prefix last,
    /// and then the request goes without it. False when even that leaves too few cells (running sequences hold them).
    /// </summary>
    private bool MakeRoom(SequenceRequest request, ref PrefixEntry? entry, ref int shared)
    {
        while (true)
        {
            var reserved = request.Reservation;
            foreach (var active in _active)
            {
                reserved += active.Request.Reservation;
            }

            var (_, keptOnly) = Count(entry?.Holding.Prefix(shared));
            if (reserved + keptOnly <= Capacity)
            {
                return true;
            }

            var victim = _prefix?.EvictOldest(keep: entry);
            if (victim is null && entry is not null)
            {
                victim = _prefix!.EvictOldest();
                (entry, shared) = (null, 0);
            }

            if (victim is null)
            {
                return false;
            }

            Free(victim.SequenceId);
        }
    }

    private void Step()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            if (_active[i] is { Request.IsAbandoned: true } abandoned)
            {
                abandoned.Request.Output.Writer.TryComplete(new OperationCanceledException(abandoned.Request.Cancellation));
                Retire(abandoned, keep: false);
            }
        }

        if (_active.Count == 0)
        {
            Publish();
            return;
        }

        BuildBatch();
        var result = _context.Decode(_batch);
        if (result == DecodeResult.NoKvSlot && _prefix is { Count: > 0 })
        {
            // Reservations keep this from happening; should llama.cpp still find no slot, kept prefixes make way.
            foreach (var entry in _prefix.Clear())
            {
                Free(entry.SequenceId);
            }

            result = _context.Decode(_batch);
        }

        if (result != DecodeResult.Ok)
        {
            FailBatch(result);
            Publish();
            return;
        }

        var generated = 0;
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            var sequence = _active[i];
            if (sequence.BatchTokens > 0)
            {
                sequence.Holding.Extend(sequence.BatchTokens);
            }

            if (sequence.BatchIndex < 0)
            {
                continue;
            }

            var logits = _context.GetLogitsIth(sequence.BatchIndex);
            var token = sequence.Sampler.Next(_context, sequence.BatchIndex, logits);
            if (token < 0)
            {
                sequence.Fail(new GrammarDeadEndException(sequence.Generated));
                Retire(sequence, keep: false);
                continue;
            }

            sequence.Request.TokenObserver?.Invoke(token, logits);
            sequence.Accept(token, _vocabulary, ref _scratch);
            generated++;
            if (sequence.Finish is { } finish)
            {
                EngineTelemetry.PromptTokens.Add(finish.PromptTokens, _tag);
                EngineTelemetry.GeneratedTokens.Add(finish.CompletionTokens, _tag);
                Retire(sequence, keep: true);
                _finished.Add(sequence);
            }
        }

        _rate.Add(generated);

        // Callers see a finished request complete once the counts reflect its leaving (its cells kept or freed).
        Publish();
        foreach (var sequence in _finished)
        {
            sequence.Request.Output.Writer.TryComplete();
        }

        _finished.Clear();
    }

    /// <summary>One token for every decoding sequence, then prompt chunks, oldest request first, within the budget.</summary>
    private void BuildBatch()
    {
        _batch.Clear();
        foreach (var sequence in _active)
        {
            sequence.BatchTokens = 0;
            sequence.BatchIndex = sequence.Prefilling ? -1 : Add(sequence, sequence.Pending(1), logits: true);
        }

        var budget = _settings.StepTokenBudget;
        foreach (var sequence in _active)
        {
            if (sequence.Prefilling && budget > 0)
            {
                var chunk = sequence.Pending(budget);
                var last = sequence.Decoded + chunk.Length == sequence.PromptLength;
                var index = Add(sequence, chunk, last);
                sequence.BatchIndex = last ? index : -1;
                budget -= chunk.Length;
            }
        }
    }

    private int Add(ActiveSequence sequence, ReadOnlySpan<int> tokens, bool logits)
    {
        sequence.BatchTokens = tokens.Length;
        return _batch.AddRange(MemoryMarshal.Cast<int, LLamaToken>(tokens), sequence.Decoded, (LLamaSeqId)sequence.SequenceId, logits);
    }

    private void FailBatch(DecodeResult result)
    {
        var failed = _active.Where(s => s.BatchTokens > 0).ToList();
        LlamaCppLog.DecodeFailed(_logger, Model, result.ToString(), failed.Count);
        foreach (var sequence in failed)
        {
            sequence.Fail(new InvalidOperationException($"llama.cpp could not decode model '{Model}''s batch ({result})."));
            Retire(sequence, keep: false);
        }
    }

    /// <summary>A sequence leaves the batch: its cells are kept for prefix reuse, or freed.</summary>
    private void Retire(ActiveSequence sequence, bool keep)
    {
        _active.Remove(sequence);
        sequence.Dispose();
        Interlocked.Decrement(ref _running);
        if (!keep || _prefix is null || sequence.Decoded == 0)
        {
            Free(sequence.SequenceId);
            return;
        }

        foreach (var redundant in _prefix.Add(new PrefixEntry(sequence.SequenceId, sequence.Tokens, sequence.Decoded, sequence.Holding)))
        {
            Free(redundant.SequenceId);
        }

        while (_prefix.Count > _prefix.MaxEntries && _prefix.EvictOldest() is { } oldest)
        {
            Free(oldest.SequenceId);
        }
    }

    private void Free(int sequenceId)
    {
        _context.MemorySequenceRemove((LLamaSeqId)sequenceId, 0, -1);
        _freeIds.Push(sequenceId);
    }

    private void Publish()
    {
        Volatile.Write(ref _kvUsed, Count().Used);
        Volatile.Write(ref _kept, _prefix?.Count ?? 0);
    }

    /// <summary>Cells in use and cells only kept prefixes hold, counting <paramref name="joining"/> as running too.</summary>
    private (int Used, int KeptOnly) Count(KvHolding? joining = null)
    {
        _ledger.Clear();
        foreach (var sequence in _active)
        {
            _ledger.Hold(sequence.Holding, running: true);
        }

        if (joining is not null)
        {
            _ledger.Hold(joining, running: true);
        }

        if (_prefix is not null)
        {
            foreach (var entry in _prefix.Entries)
            {
                _ledger.Hold(entry.Holding, running: false);
            }
        }

        return _ledger.Totals();
    }

    private void Shutdown(Exception? fault)
    {
        Exception Reason() => fault is null
            ? new ObjectDisposedException(nameof(LlamaScheduler), $"Model '{Model}' was unloaded.")
            : new InvalidOperationException($"Model '{Model}' stopped after a fault: {fault.Message}", fault);

        Intake();
        foreach (var sequence in _active)
        {
            sequence.Fail(Reason());
            sequence.Dispose();
        }

        _active.Clear();
        foreach (var request in _waiting)
        {
            request.Output.Writer.TryComplete(Reason());
        }

        _waiting.Clear();
        Volatile.Write(ref _running, 0);
        Volatile.Write(ref _queued, 0);
    }
}
