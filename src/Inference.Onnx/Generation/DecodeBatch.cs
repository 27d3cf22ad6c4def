using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Inference.Engines;
using Inference.Engines.Grammars;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Inference.Onnx.Generation;

/// <summary>
/// Decodes the concurrent generations of one model together: one loop prefills each arriving prompt on its own, then
/// feeds every running sequence's next token in one <c>[B, 1]</c> step. Rows are left-padded to the longest: the
/// attention mask hides each row's padding and the position ids are each row's own, so a row sees exactly what it
/// would alone. Sequences join between steps and leave when they finish (each with its own sampling and stop
/// conditions, made by its <see cref="SequenceRun"/>) or when their caller goes; only then is the cache rebuilt (rows
/// copied into a new one, as short as the longest row); between changes a step's present values are the next step's
/// past, as for a sequence alone.
/// </summary>
public sealed class DecodeBatch : IDisposable
{
    private readonly TextGenerator _generator;
    private readonly DecoderModel _model;
    private readonly int _capacity;
    private readonly Channel<Member> _joining = Channel.CreateUnbounded<Member>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly RunOptions _runOptions = new();
    private readonly List<Member> _rows = [];
    private readonly OrtValue[] _emptyPast;
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _past;
    private readonly IndexBuffer _ids;
    private readonly IndexBuffer _mask;
    private readonly IndexBuffer _positions;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly Task _loop;

    // The batch's cache: the last step's outputs (logits, then present values) or a set built when rows changed.
    private IDisposableReadOnlyCollection<OrtValue>? _outputs;
    private OrtValue[]? _built;
    private int _columns;
    private int _largest;
    private int _waiting;

    public DecodeBatch(TextGenerator generator, string modelId, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _generator = generator;
        _model = generator.Model;
        if (!_model.CanBatch)
        {
            throw new ArgumentException("The model's graph cannot run several sequences in one step.", nameof(generator));
        }

        _capacity = capacity;
        _tag = EngineTelemetry.Tag(modelId);
        _emptyPast = [.. _model.Cache.PastInputs.Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, _model.Cache.ElementType, _model.Cache.PastShape(0)))];
        _inputs = new OrtValue[_model.InputCount];
        _past = new OrtValue[_model.Cache.PastInputs.Count];
        _ids = new IndexBuffer(_model.IdsType);
        _mask = new IndexBuffer(_model.MaskType!.Value);
        _positions = new IndexBuffer(_model.PositionType!.Value);
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>Sequences decoded together at most.</summary>
    public int Capacity => _capacity;

    /// <summary>The most sequences one step has decoded together since the model was loaded.</summary>
    public int LargestBatch => Volatile.Read(ref _largest);

    /// <summary>Generations waiting to join.</summary>
    internal int Joining => Volatile.Read(ref _waiting);

    /// <summary>Called on the loop after every step with the rows it decoded (tests hold the loop with it).</summary>
    internal Action<int>? AfterStep { get; set; }

    /// <summary>Generates as <see cref="TextGenerator.GenerateAsync(int[], GenerationSettings, GrammarConstraint?, CancellationToken)"/> does, sharing steps with the other generations running.</summary>
    /// <param name="constraint">The grammar the output must match, or null; it must not be shared with another generation.</param>
    public async IAsyncEnumerable<GenerationChunk> GenerateAsync(
        int[] promptIds,
        GenerationSettings settings,
        GrammarConstraint? constraint,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _generator.Validate(promptIds, settings.MaxNewTokens);
        var member = new Member(new SequenceRun(_model, _generator.Tokenizer, promptIds, settings, constraint));
        try
        {
            Interlocked.Increment(ref _waiting);
            if (!_joining.Writer.TryWrite(member))
            {
                Interlocked.Decrement(ref _waiting);
                throw new ObjectDisposedException(nameof(DecodeBatch), "The model was unloaded.");
            }

            var output = member.Output.Reader;
            while (await output.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (output.TryRead(out var chunk))
                {
                    // Chunks may be waiting already: a caller that cancelled gets none of them.
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return chunk;
                }
            }
        }
        finally
        {
            // The loop drops the row before its next step (or on taking it, if it had not joined yet).
            member.Left = true;
        }
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                if (_rows.Count == 0 && !await _joining.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
                {
                    return;
                }

                try
                {
                    var changed = Admit(stop);
                    changed |= DropFinished();
                    if (_rows.Count == 0)
                    {
                        continue;
                    }

                    if (changed)
                    {
                        Rebuild();
                    }

                    Step();
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    // Nothing of this batch can go on without its cache: its callers are told, the next arrivals start afresh.
                    FailAll(e);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Unloading.
        }
        finally
        {
            var gone = new ObjectDisposedException(nameof(DecodeBatch), "The model was unloaded.");
            FailAll(gone);
            while (_joining.Reader.TryRead(out var waiting))
            {
                waiting.Fail(gone);
            }
        }
    }

    /// <summary>Prefills waiting prompts, each alone, while there is room; returns whether any joined.</summary>
    private bool Admit(CancellationToken stop)
    {
        var joined = false;
        while (_rows.Count < _capacity && _joining.Reader.TryRead(out var member))
        {
            Interlocked.Decrement(ref _waiting);
            stop.ThrowIfCancellationRequested();
            if (member.Left)
            {
                member.Close();
                continue;
            }

            try
            {
                Prefill(member);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                member.Fail(e);
                continue;
            }

            if (member.Finished)
            {
                continue;
            }

            _rows.Add(member);
            joined = true;
        }

        return joined;
    }

    private void Prefill(Member member)
    {
        var prompt = member.Run.PromptIds;
        var length = prompt.Length;
        _ids.Clear(length);
        _mask.Clear(length);
        _positions.Clear(length);
        for (var i = 0; i < length; i++)
        {
            _ids[i] = prompt[i];
            _mask[i] = 1;
            _positions[i] = i;
        }

        member.Cache = Run(1, length, _emptyPast);
        member.Length = length;
        var logits = member.Cache[0].GetTensorDataAsSpan<float>();
        member.Deliver(member.Run.Choose(logits[^_model.VocabSize..]));
    }

    private bool DropFinished()
    {
        var removed = _rows.RemoveAll(row =>
        {
            if (row.Left && !row.Finished)
            {
                row.Close();
            }

            return row.Finished;
        });
        return removed > 0;
    }

    /// <summary>Copies every row into a new cache as long as the longest row, each right-aligned after zero padding.</summary>
    private void Rebuild()
    {
        if (_rows is [{ Cache: { } alone } only])
        {
            // A sequence alone keeps its own cache: no copy, as without batching.
            ReleaseCache();
            _outputs = alone;
            only.Cache = null;
            only.Row = 0;
            _columns = only.Length;
            return;
        }

        var layout = _model.Cache;
        var outer = layout.Style == KvCacheStyle.Combined ? 2 : 1;
        var heads = layout.KvHeads;
        var size = layout.HeadSize;
        var batch = _rows.Count;
        var columns = _rows.Max(r => r.Length);
        var oldBatch = _outputs is null && _built is null ? 0 : CacheRows();
        long[] shape = layout.Style == KvCacheStyle.Combined ? [2, batch, heads, columns, size] : [batch, heads, columns, size];
        var built = new OrtValue[layout.PastInputs.Count];
        for (var layer = 0; layer < built.Length; layer++)
        {
            var target = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, layout.ElementType, shape);
            built[layer] = target;
            var to = target.GetTensorMutableDataAsSpan<float>();
            // Padding must be zeros: a masked score's weight is 0, and 0 times uninitialised memory may be NaN.
            to.Clear();
            for (var i = 0; i < batch; i++)
            {
                var row = _rows[i];
                var (source, sourceRow, sourceBatch, sourceColumns) = row.Cache is { } own
                    ? (own[layer + 1], 0, 1, row.Length)
                    : (Past(layer), row.Row, oldBatch, _columns);
                var from = source.GetTensorDataAsSpan<float>();
                var span = row.Length * size;
                for (var o = 0; o < outer; o++)
                {
                    for (var h = 0; h < heads; h++)
                    {
                        var start = ((((o * sourceBatch) + sourceRow) * heads + h) * sourceColumns + sourceColumns - row.Length) * size;
                        var end = ((((o * batch) + i) * heads + h) * columns + columns - row.Length) * size;
                        from.Slice(start, span).CopyTo(to.Slice(end, span));
                    }
                }
            }
        }

        ReleaseCache();
        for (var i = 0; i < batch; i++)
        {
            _rows[i].Cache?.Dispose();
            _rows[i].Cache = null;
            _rows[i].Row = i;
        }

        _built = built;
        _columns = columns;
    }

    /// <summary>One token for every row in one run.</summary>
    private void Step()
    {
        var batch = _rows.Count;
        var columns = _columns + 1;
        _ids.Clear(batch);
        _positions.Clear(batch);
        _mask.Clear(batch * columns);
        for (var i = 0; i < batch; i++)
        {
            var row = _rows[i];
            _ids[i] = row.Pending;
            _positions[i] = row.Length;
            _mask.Fill((i * columns) + columns - row.Length - 1, row.Length + 1, 1);
        }

        for (var layer = 0; layer < _past.Length; layer++)
        {
            _past[layer] = Past(layer);
        }

        var outputs = Run(batch, 1, _past);
        ReleaseCache();
        _outputs = outputs;
        _columns = columns;
        _largest = Math.Max(_largest, batch);
        EngineTelemetry.DecodeBatchSize.Record(batch, _tag);
        var logits = outputs[0].GetTensorDataAsSpan<float>();
        var vocab = _model.VocabSize;
        for (var i = 0; i < batch; i++)
        {
            var row = _rows[i];
            row.Length++;
            if (row.Left)
            {
                continue;
            }

            try
            {
                row.Deliver(row.Run.Choose(logits.Slice(i * vocab, vocab)));
            }
            catch (Exception e)
            {
                row.Fail(e);
            }
        }

        AfterStep?.Invoke(batch);
    }

    private void FailAll(Exception error)
    {
        foreach (var row in _rows)
        {
            row.Fail(error);
        }

        _rows.Clear();
        ReleaseCache();
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(int batch, int length, OrtValue[] past)
    {
        var i = 0;
        _inputs[i++] = _ids.Create([batch, length]);
        _inputs[i++] = _mask.Create([batch, _mask.Count / batch]);
        _inputs[i++] = _positions.Create([batch, length]);
        past.CopyTo(_inputs, i);
        try
        {
            return _model.Run(_runOptions, _inputs);
        }
        finally
        {
            // The id/mask/position values wrap pinned managed memory; the past values belong to the batch.
            for (var k = 0; k < 3; k++)
            {
                _inputs[k].Dispose();
            }
        }
    }

    private OrtValue Past(int layer) => _built?[layer] ?? _outputs![layer + 1];

    private int CacheRows() => (int)Past(0).GetTensorTypeAndShape().Shape[_model.Cache.Style == KvCacheStyle.Combined ? 1 : 0];

    private void ReleaseCache()
    {
        _outputs?.Dispose();
        _outputs = null;
        if (_built is { } built)
        {
            foreach (var value in built)
            {
                value.Dispose();
            }
        }

        _built = null;
    }

    public void Dispose()
    {
        _joining.Writer.TryComplete();
        _stop.Cancel();
        _runOptions.Terminate = true;
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Stopped.
        }

        foreach (var value in _emptyPast)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _stop.Dispose();
    }

    /// <summary>One generation in the batch: its decisions, where its cache is, and the chunks for its caller.</summary>
    private sealed class Member(SequenceRun run)
    {
        public SequenceRun Run { get; } = run;

        public Channel<GenerationChunk> Output { get; } = Channel.CreateUnbounded<GenerationChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        /// <summary>Its own cache after prefill, until it is copied into the batch's.</summary>
        public IDisposableReadOnlyCollection<OrtValue>? Cache { get; set; }

        /// <summary>Its row in the batch's cache.</summary>
        public int Row { get; set; }

        /// <summary>Positions in its cache (right-aligned in the batch's).</summary>
        public int Length { get; set; }

        /// <summary>The token chosen last, to be fed at the next step.</summary>
        public int Pending { get; private set; }

        public bool Finished { get; private set; }

        /// <summary>Set by the caller's side when it stops reading.</summary>
        public volatile bool Left;

        public void Deliver(int token)
        {
            var text = Run.Accept(token);
            if (text.Length > 0)
            {
                Output.Writer.TryWrite(new GenerationChunk(text));
            }

            if (!Run.Done)
            {
                Pending = token;
                return;
            }

            var last = Run.Finish();
            if (last.Text.Length > 0)
            {
                Output.Writer.TryWrite(new GenerationChunk(last.Text));
            }

            Output.Writer.TryWrite(last with { Text = "" });
            Close();
        }

        public void Fail(Exception error)
        {
            Output.Writer.TryComplete(error);
            Close();
        }

        public void Close()
        {
            if (Finished)
            {
                return;
            }

            Finished = true;
            Output.Writer.TryComplete();
            Cache?.Dispose();
            Cache = null;
            Run.Dispose();
        }
    }

    /// <summary>Token ids, mask or positions as the graph's element type, in a buffer reused across steps.</summary>
    private sealed class IndexBuffer(TensorElementType type)
    {
        private long[] _longs = new long[64];
        private int[] _ints = new int[64];

        public int Count { get; private set; }

        public void Clear(int count)
        {
            if (type == TensorElementType.Int32)
            {
                Grow(ref _ints, count);
                Array.Clear(_ints, 0, count);
            }
            else
            {
                Grow(ref _longs, count);
                Array.Clear(_longs, 0, count);
            }

            Count = count;
        }

        public long this[int index]
        {
            set
            {
                if (type == TensorElementType.Int32)
                {
                    _ints[index] = (int)value;
                }
                else
                {
                    _longs[index] = value;
                }
            }
        }

        public void Fill(int start, int length, long value)
        {
            if (type == TensorElementType.Int32)
            {
                _ints.AsSpan(start, length).Fill((int)value);
            }
            else
            {
                _longs.AsSpan(start, length).Fill(value);
            }
        }

        public OrtValue Create(long[] shape) => type == TensorElementType.Int32
            ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _ints.AsMemory(0, Count), shape)
            : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _longs.AsMemory(0, Count), shape);

        private static void Grow<T>(ref T[] buffer, int count)
        {
            if (buffer.Length < count)
            {
                buffer = new T[Math.Max(count, buffer.Length * 2)];
            }
        }
    }
}
