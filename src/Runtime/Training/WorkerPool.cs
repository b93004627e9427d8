namespace Intriguing.Training;

/// <summary>
/// A fixed set of worker threads that run chunks <c>0…count−1</c> of a job in parallel, with no allocation per run.
/// Chunk c always does the same work whatever the number of threads, so results do not depend on it.
/// </summary>
/// <remarks>
/// Training runs thousands of short parallel steps per second, so waking a sleeping thread for each one would cost
/// more than the work. Idle workers therefore spin for a while (about a millisecond) waiting for the next run before
/// they block; the caller spins until its helpers are done.
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    private const int SpinIterations = 20_000;

    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _wake;
    private Action<int>? _job;
    private int _chunks;
    private int _next;
    private int _remaining;
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

        _job = job;
        _chunks = chunks;
        _next = 0;
        _error = null;
        Volatile.Write(ref _remaining, _threads.Length);
        Interlocked.Increment(ref _generation);
        foreach (ManualResetEventSlim wake in _wake) wake.Set();
        Drain();
        var spin = new SpinWait();
        while (Volatile.Read(ref _remaining) != 0) spin.SpinOnce(sleep1Threshold: -1);
        _job = null;
        if (_error is not null) throw new AggregateException("A parallel chunk failed.", _error);
    }

    private void Drain()
    {
        int c;
        while ((c = Interlocked.Increment(ref _next) - 1) < _chunks)
        {
            try
            {
                _job!(c);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
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
            Interlocked.Decrement(ref _remaining);
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
