using System.Runtime.CompilerServices;
namespace Intriguing.Training;

/// <summary>
/// A fixed set of worker threads that run chunks <c>0…count−1</c> of a job in parallel, with no allocation per run.
/// Chunk c always does the same work whatever the number of threads, so results do not depend on it.
/// </summary>
/// <remarks>
/// Training runs thousands of short parallel steps per second, so waking a sleeping thread for each one would cost
/// more than the work. Idle workers therefore spin for a while (about a millisecond) waiting for the next run before
/// they block. Chunks are claimed one at a time by whichever thread is free, the caller included, and the caller waits
/// only for chunks that a helper has claimed: when the cores are shared and a helper is not scheduled in time, the
/// caller does all the work instead of waiting for the helper to come round (which made 2-thread steps take
/// milliseconds on an oversubscribed machine).
/// </remarks>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>Checks of the generation an idle worker makes (one normalized pause apart) before it blocks: about a millisecond.</summary>
    private const int SpinIterations = 400_000;

    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _wake;
    private Action<int>? _job;
    private long _ticket; // run number << 32 | chunk count << 16 | next chunk: claimed atomically, so a late helper never takes a chunk of another run
    private int _run;
    private int _done;
    private long _generation;
    private long _pinnedRun;       // number of the last pinned run (written before _pinned)
    private readonly long[] _claims; // per part of a pinned run: the number of the last pinned run that claimed it
    private volatile bool _pinned; // the current run gives part i + 1 to worker i instead of letting threads claim chunks
    private Exception? _error;
    private volatile bool _disposed;
    private int[]? _cpus;            // BindThreads: processor of each thread
    private int _binder;             // BindThreads: the caller's thread, which binds itself
    private Action<int>? _bindJob;

    /// <summary>Creates a pool of <paramref name="threads"/> threads in all (the caller's thread counts as one).</summary>
    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _threads = new Thread[threads - 1];
        _wake = new ManualResetEventSlim[threads - 1];
        _claims = new long[threads];
        for (int i = 0; i < _threads.Length; i++)
        {
            int index = i;
            _wake[i] = new ManualResetEventSlim(false);
            _threads[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"Intriguing worker {i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Number of threads, the caller's included.</summary>
    public int Threads { get; }

    /// <summary>Runs <paramref name="job"/> for chunks 0…<paramref name="chunks"/>−1 and returns when all are done.</summary>
    /// <remarks>Pass a delegate cached by the caller, not a new lambda per call, to keep the call allocation-free.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int chunks, Action<int> job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(job);
        if (chunks <= 0) return;
        if (Threads == 1 || chunks == 1)
        {
            for (int c = 0; c < chunks; c++) job(c);
            return;
        }

        if (chunks > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, $"At most {ushort.MaxValue} chunks per run.");

        // Publish the job before the ticket: a helper reads the job only after claiming a chunk of this run.
        Begin(job, pinned: false);
        _run++;
        Volatile.Write(ref _ticket, ((long)_run << 32) | ((long)chunks << 16));
        Wake();
        Drain();
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) != chunks) spin.SpinOnce(sleep1Threshold: -1);
        if (_error is not null) throw new AggregateException("A parallel chunk failed.", _error);
    }

    /// <summary>Items [Start, End) of part <paramref name="part"/> when <paramref name="count"/> items are split into <paramref name="parts"/> near-equal consecutive parts.</summary>
    internal static (int Start, int End) PartRange(int count, int part, int parts) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    /// <summary>Pinned runs so far, on all pools of the process (a diagnostic for benchmarks; not synchronised across callers).</summary>
    internal static long PinnedRuns;

    /// <summary>Parts of pinned runs the caller took because their thread had not started them (same caveats).</summary>
    internal static long PartsTakenByCaller;

    /// <summary>
    /// Runs <paramref name="job"/> for parts 0…<see cref="Threads"/>−1, part p on thread p where it can (the caller runs
    /// part 0), and returns when all are done.
    /// </summary>
    /// <remarks>
    /// For steps that work on the same data split the same way run after run (the rows of a layer): each part stays in
    /// its core's cache instead of moving with whichever thread claimed it. A part whose thread has not started it by the
    /// time the caller is done with its own (the thread was not scheduled) is run by the caller, so a busy machine slows
    /// the step down to one thread's speed but never makes it wait for a time slice. Results must not depend on which
    /// thread runs a part. Pass a cached delegate to keep the call allocation-free.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunPinned(Action<int> job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(job);
        if (Threads == 1)
        {
            job(0);
            return;
        }

        Begin(job, pinned: true);
        long run = _pinnedRun + 1;
        Volatile.Write(ref _pinnedRun, run); // after the job: a helper that reads this run number sees its job
        Wake();
        RunPart(0);
        PinnedRuns++;
        for (int part = 1; part < Threads; part++)
        {
            if (Claim(part, run))
            {
                RunPart(part);
                PartsTakenByCaller++;
            }
        }

        int parts = Threads;
        while (Volatile.Read(ref _done) != parts)
        {
            // Polled without a pause: a part takes microseconds, so the hand-off must be as quick as it can be.
        }

        if (_error is not null) throw new AggregateException("A parallel part failed.", _error);
    }

    /// <summary>
    /// Binds thread p of the pool to the p-th processor the caller may run on (the caller's thread included) until the
    /// returned scope is disposed, which gives the caller back its own processors; the helpers stay bound until the pool
    /// is disposed. Used with <see cref="RunPinned"/>, whose parts stay in their core's cache only if the threads do not
    /// move between cores (measured: a split dense step of FC200-200-10 took 47 µs unbound, 24 µs bound, 29 µs on one thread).
    /// Does nothing (and returns an empty scope) off Linux, with one thread, or with fewer processors than threads.
    /// </summary>
    public IDisposable BindThreads()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[]? own = Threads > 1 ? ThreadAffinity.Get() : null;
        int[]? cpus = own is null ? null : ThreadAffinity.First(own, Threads);
        if (cpus is null || !ThreadAffinity.Set(ThreadAffinity.Only(cpus[0]))) return new AffinityScope(null);
        _cpus = cpus;
        _binder = Environment.CurrentManagedThreadId;
        RunPinned(_bindJob ??= part =>
        {
            // A part the caller ran itself (its helper was not scheduled in time) leaves that helper unbound.
            if (part > 0 && Environment.CurrentManagedThreadId != _binder) ThreadAffinity.Set(ThreadAffinity.Only(_cpus![part]));
        });
        return new AffinityScope(own);
    }

    /// <summary>Restores the caller's processors.</summary>
    private sealed class AffinityScope(byte[]? mask) : IDisposable
    {
        private byte[]? _mask = mask;

        public void Dispose()
        {
            if (_mask is { } m) ThreadAffinity.Set(m);
            _mask = null;
        }
    }

    /// <summary>The start of every run: its job, no error yet, nothing done, and which kind of run it is.</summary>
    private void Begin(Action<int> job, bool pinned)
    {
        _job = job;
        _error = null;
        _pinned = pinned;
        Volatile.Write(ref _done, 0);
    }

    /// <summary>Announces the run to the helpers: a new generation, and the event of any that went to sleep.</summary>
    private void Wake()
    {
        Interlocked.Increment(ref _generation);
        foreach (ManualResetEventSlim wake in _wake) wake.Set();
    }

    /// <summary>Claims part <paramref name="part"/> of pinned run <paramref name="run"/>; false if someone already has.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Claim(int part, long run)
    {
        long last = Volatile.Read(ref _claims[part]);
        return last < run && Interlocked.CompareExchange(ref _claims[part], run, last) == last;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunPart(int part)
    {
        try
        {
            _job!(part);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _error, e, null);
        }

        Interlocked.Increment(ref _done);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Drain()
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            int next = (int)(ticket & 0xFFFF), count = (int)((ticket >> 16) & 0xFFFF);
            if (next >= count) return;
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket) continue;
            RunPart(next);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Work(int index)
    {
        long seen = 0;
        ManualResetEventSlim wake = _wake[index];
        while (true)
        {
            // Wait for the next generation: spin first, then sleep on this worker's event. Resetting the event before
            // re-checking the generation means a Set that races with going to sleep is never lost.
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen && !_disposed)
            {
                if (++spins < SpinIterations) continue; // polled without a pause, for the quickest hand-off

                wake.Reset();
                if (Volatile.Read(ref _generation) != seen || _disposed) break;
                wake.Wait();
            }

            if (_disposed) return;
            seen = Volatile.Read(ref _generation);
            // A pinned run: this worker's own part, unless the caller has taken it (or it belongs to an earlier run).
            if (_pinned)
            {
                long run = Volatile.Read(ref _pinnedRun);
                if (Claim(index + 1, run)) RunPart(index + 1);
            }
            else
            {
                Drain();
            }
        }
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (ManualResetEventSlim wake in _wake) wake.Set();
        foreach (Thread t in _threads) t.Join();
        foreach (ManualResetEventSlim wake in _wake) wake.Dispose();
    }
}
