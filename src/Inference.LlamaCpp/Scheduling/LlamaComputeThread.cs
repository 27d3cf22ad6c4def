using System.Collections.Concurrent;

namespace Inference.LlamaCpp.Scheduling;

/// <summary>
/// The one thread that runs every llama.cpp decode in the process, stepping each loaded model's scheduler in turn.
/// LLamaSharp serialises decodes process-wide anyway, so one thread loses no parallelism; and llama.cpp's CPU backend
/// computes with OpenMP, whose thread team belongs to the thread that calls it: a second calling thread gets a second
/// team, and the two halve each other's speed (measured: 86 tok/s alone, 45-55 once another thread had decoded).
/// </summary>
internal static class LlamaComputeThread
{
    private static readonly Lock Gate = new();
    private static readonly SemaphoreSlim Signal = new(0);
    private static readonly ConcurrentQueue<Action> Work = new();
    private static volatile LlamaScheduler[] _schedulers = [];
    private static Thread? _thread;

    public static bool IsCurrent => Thread.CurrentThread == _thread;

    public static void Add(LlamaScheduler scheduler)
    {
        lock (Gate)
        {
            _schedulers = [.. _schedulers, scheduler];
            EnsureStarted();
        }

        Wake();
    }

    /// <summary>Stops stepping the scheduler, then runs <paramref name="finish"/> on this thread; returns once it has.</summary>
    public static void Remove(LlamaScheduler scheduler, Action finish)
    {
        Run(() =>
        {
            lock (Gate)
            {
                _schedulers = [.. _schedulers.Where(s => s != scheduler)];
            }

            finish();
        });
    }

    /// <summary>Runs work on the compute thread (inline when already on it) and waits for it.</summary>
    public static T Run<T>(Func<T> work)
    {
        if (IsCurrent)
        {
            return work();
        }

        lock (Gate)
        {
            EnsureStarted();
        }

        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Enqueue(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        Wake();
        return done.Task.GetAwaiter().GetResult();
    }

    public static void Run(Action work) => Run(() =>
    {
        work();
        return true;
    });

    /// <summary>Something changed (a request came, or was given up): step the schedulers again.</summary>
    public static void Wake() => Signal.Release();

    private static void EnsureStarted()
    {
        if (_thread is null)
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = "llama.cpp compute" };
            _thread.Start();
        }
    }

    private static void Loop()
    {
        while (true)
        {
            while (Work.TryDequeue(out var work))
            {
                work();
            }

            var busy = false;
            foreach (var scheduler in _schedulers)
            {
                busy |= scheduler.RunOnce();
            }

            if (!busy)
            {
                Signal.Wait();
            }
        }
    }
}
