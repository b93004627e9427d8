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
public sealed class WorkerPool : IDisposable
{
    private const int SpinIterations = 20_000;

    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _wake;
    private Action<int>? _job;
    private long _ticket; // run number << 32 | chunk count << 16 | next chunk: claimed atomically, so a late helper never takes a chunk of another run
    private int _run;
    private int _done;
    private long _generation;
    private Exception? _error;
    private volatile bool _disposed;

    /// <summary>Creates a pool of <paramref name="threads"/> threads in all (the caller's thread counts as one).</summary>
    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _threads = new Thread[threads - 1];
        _wake = new ManualResetEventSlim[threads - 1];
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
        _job = job;
        _error = null;
        Volatile.Write(ref _done, 0);
        _run++;
        Volatile.Write(ref _ticket, ((long)_run << 32) | ((long)chunks << 16));
        Interlocked.Increment(ref _generation);
        foreach (ManualResetEventSlim wake in _wake) wake.Set();
        Drain();
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) != chunks) spin.SpinOnce(sleep1Threshold: -1);
        if (_error is not null) throw new AggregateException("A parallel chunk failed.", _error);
    }

    private void Drain()
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            int next = (int)(ticket & 0xFFFF), count = (int)((ticket >> 16) & 0xFFFF);
            if (next >= count) return;
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket) continue;
            try
            {
                _job!(next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }

            Interlocked.Increment(ref _done);
        }
    }

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
                if (++spins < SpinIterations)
                {
                    Thread.SpinWait(20);
                    continue;
                }

                wake.Reset();
                if (Volatile.Read(ref _generation) != seen || _disposed) break;
                wake.Wait();
            }

            if (_disposed) return;
            seen = Volatile.Read(ref _generation);
            Drain();
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
