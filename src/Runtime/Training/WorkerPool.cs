namespace Intriguing.Training;

/// <summary>
/// A fixed set of worker threads that run chunks <c>0…count−1</c> of a job in parallel, with no allocation per run.
/// Chunk c always does the same work whatever the number of threads, so results do not depend on it.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly Barrier _start;
    private readonly Barrier _end;
    private Action<int>? _job;
    private int _chunks;
    private int _next;
    private Exception? _error;
    private volatile bool _disposed;

    /// <summary>Creates a pool of <paramref name="threads"/> threads in all (the caller's thread counts as one).</summary>
    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _start = new Barrier(threads);
        _end = new Barrier(threads);
        _threads = new Thread[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"Intriguing worker {i + 1}" };
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
        _start.SignalAndWait();
        Drain();
        _end.SignalAndWait();
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

    private void Work()
    {
        while (true)
        {
            try
            {
                _start.SignalAndWait();
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (_disposed) return;
            Drain();
            _end.SignalAndWait();
        }
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_threads.Length > 0)
        {
            _chunks = 0;
            _start.SignalAndWait();
            foreach (Thread t in _threads) t.Join();
        }

        _start.Dispose();
        _end.Dispose();
    }
}
