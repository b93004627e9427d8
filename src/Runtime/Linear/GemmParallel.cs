using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Intriguing.Linear;

/// <summary>
/// Splits a product into disjoint chunks of C (whole tiles along its longer side) that the calling thread and up to
/// degreeOfParallelism − 1 thread-pool threads claim one at a time. Claiming balances the load when a core is busy
/// with other work; a helper that has not started by the time the caller runs out of chunks is cancelled instead of
/// awaited. Each element is computed by one thread with the same arithmetic as in a serial call, so results do not
/// depend on the split. Jobs and helpers (each with its own packing buffers) are pooled per calling thread: a call allocates nothing
/// after the first, except a new helper when a cancelled one is still waiting in the thread-pool queue.
/// </summary>
internal static class GemmParallel
{
    /// <summary>Below this many multiply-adds per thread (≈ 10 µs) a split is not worth waking a thread-pool thread.</summary>
    private const long MinWorkPerThread = 1L << 21;

    /// <summary>Chunks per participating thread: enough to rebalance, few enough that re-packing per chunk stays cheap.</summary>
    private const int ChunksPerThread = 3;

    [ThreadStatic]
    private static ParallelJob? t_job;

    /// <summary>How many threads share a problem, along which side of C, and in how many tile-sized steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (int Threads, bool SplitColumns, int Steps) Partition(in GemmProblem problem, in GemmPlan plan, int degreeOfParallelism)
    {
        long work = (long)problem.M * problem.N * problem.K;
        int threads = (int)Math.Min(Math.Min(degreeOfParallelism, Environment.ProcessorCount), Math.Max(1, work / MinWorkPerThread));

        // Split the longer side of C (in tile-sized steps) so each chunk holds whole tiles.
        int rowSteps = (problem.M + plan.RowStep - 1) / plan.RowStep;
        int colSteps = (problem.N + plan.ColumnStep - 1) / plan.ColumnStep;
        bool splitColumns = colSteps >= threads && (problem.N >= problem.M || rowSteps < threads);
        int steps = splitColumns ? colSteps : rowSteps;
        return (Math.Max(1, Math.Min(threads, steps)), splitColumns, steps);
    }

    /// <summary>Computes the whole problem with up to <paramref name="degreeOfParallelism"/> threads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run(in GemmProblem problem, in GemmPlan plan, SimdLevel level, int degreeOfParallelism)
    {
        (int threads, bool splitColumns, int steps) = Partition(problem, plan, degreeOfParallelism);
        if (threads <= 1)
        {
            GemmDriver.Run(problem, plan, level, 0, problem.M, 0, problem.N, GemmBuffers.ForCurrentThread());
            return;
        }

        ParallelJob job = t_job ??= new ParallelJob();
        job.Start(problem, plan, level, splitColumns, steps, Math.Min(steps, threads * ChunksPerThread));
        Helper[] helpers = job.Helpers(threads - 1);
        foreach (Helper helper in helpers.AsSpan(0, threads - 1))
        {
            helper.Queue(job);
        }

        Exception? error = null;
        try
        {
            job.RunChunks(GemmBuffers.ForCurrentThread());
        }
        catch (Exception e)
        {
            error = e;
        }

        // A helper that never started is cancelled; one that did writes through the caller's pinned pointers: wait.
        foreach (Helper helper in helpers.AsSpan(0, threads - 1))
        {
            error ??= helper.CancelOrWait();
        }

        if (error is not null) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>The problem being split and the counter chunks are claimed from.</summary>
    private sealed class ParallelJob
    {
        private readonly List<Helper> _helpers = [];
        private Helper[] _selected = [];
        private GemmProblem _problem;
        private GemmPlan _plan;
        private SimdLevel _level;
        private bool _splitColumns;
        private int _steps;
        private int _chunks;
        private int _next;

        internal void Start(in GemmProblem problem, in GemmPlan plan, SimdLevel level, bool splitColumns, int steps, int chunks)
        {
            _problem = problem;
            _plan = plan;
            _level = level;
            _splitColumns = splitColumns;
            _steps = steps;
            _chunks = chunks;
            Volatile.Write(ref _next, 0);
        }

        /// <summary>Idle helpers for this call (a cancelled helper still queued in the pool is not idle; new ones replace it).</summary>
        internal Helper[] Helpers(int count)
        {
            if (_selected.Length < count) _selected = new Helper[count];
            int found = 0;
            foreach (Helper helper in _helpers)
            {
                if (found == count) break;
                if (helper.IsIdle) _selected[found++] = helper;
            }

            while (found < count)
            {
                var helper = new Helper();
                _helpers.Add(helper);
                _selected[found++] = helper;
            }

            return _selected;
        }

        /// <summary>Claims and computes chunks until none is left.</summary>
        internal void RunChunks(GemmBuffers buffers)
        {
            int step = _splitColumns ? _plan.ColumnStep : _plan.RowStep;
            int extent = _splitColumns ? _problem.N : _problem.M;
            int chunk;
            while ((chunk = Interlocked.Increment(ref _next) - 1) < _chunks)
            {
                int start = (int)((long)_steps * chunk / _chunks) * step;
                int end = Math.Min(extent, (int)((long)_steps * (chunk + 1) / _chunks) * step);
                if (_splitColumns) GemmDriver.Run(_problem, _plan, _level, 0, _problem.M, start, end, buffers);
                else GemmDriver.Run(_problem, _plan, _level, start, end, 0, _problem.N, buffers);
            }
        }
    }

    /// <summary>A thread-pool work item that joins a job: Idle → Queued → Running → (caller) Idle, or Queued → Cancelled → (pool) Idle.</summary>
    private sealed class Helper : IThreadPoolWorkItem
    {
        private const int Idle = 0, Queued = 1, Running = 2, Cancelled = 3;

        private readonly ManualResetEventSlim _done = new(false);

        // The helper's own packing buffers: pool threads come and go, the helper (and its buffers) is reused.
        private readonly GemmBuffers _buffers = new();
        private ParallelJob? _job;
        private Exception? _error;
        private int _state;

        internal bool IsIdle => Volatile.Read(ref _state) == Idle;

        internal void Queue(ParallelJob job)
        {
            _job = job;
            _error = null;
            _done.Reset();
            Volatile.Write(ref _state, Queued);
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        /// <summary>Cancels the helper if it has not started, otherwise waits for it; returns its failure if any.</summary>
        internal Exception? CancelOrWait()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued) return null;
            _done.Wait();
            Exception? error = _error;
            _job = null;
            Volatile.Write(ref _state, Idle);
            return error;
        }

        public void Execute()
        {
            if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
            {
                // Cancelled while queued: the caller has finished without us. Become reusable.
                Volatile.Write(ref _state, Idle);
                return;
            }

            try
            {
                _job!.RunChunks(_buffers);
            }
            catch (Exception e)
            {
                _error = e;
            }
            finally
            {
                _done.Set();
            }
        }
    }
}
