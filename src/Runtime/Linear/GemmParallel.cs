using System.Runtime.ExceptionServices;

namespace Intriguing.Linear;

/// <summary>
/// Splits a product into disjoint blocks of C, one per thread: the caller computes the first block, thread-pool
/// threads the others. Work items are reused per calling thread, so a call allocates nothing after the first.
/// </summary>
internal static class GemmParallel
{
    /// <summary>Below this many multiply-adds per thread (≈ 10 µs) a split is not worth waking a thread-pool thread.</summary>
    private const long MinWorkPerThread = 1L << 21;

    [ThreadStatic]
    private static GemmWorkItem[]? t_items;

    /// <summary>How many threads share a problem and along which side of C.</summary>
    internal static (int Threads, bool SplitColumns, int Steps) Partition(in GemmProblem problem, in GemmPlan plan, int degreeOfParallelism)
    {
        long work = (long)problem.M * problem.N * problem.K;
        int threads = (int)Math.Min(Math.Min(degreeOfParallelism, Environment.ProcessorCount), Math.Max(1, work / MinWorkPerThread));

        // Split the longer side of C (in tile-sized steps) so each thread owns whole tiles.
        int rowSteps = (problem.M + plan.RowStep - 1) / plan.RowStep;
        int colSteps = (problem.N + plan.ColumnStep - 1) / plan.ColumnStep;
        bool splitColumns = colSteps >= threads && (problem.N >= problem.M || rowSteps < threads);
        int steps = splitColumns ? colSteps : rowSteps;
        return (Math.Max(1, Math.Min(threads, steps)), splitColumns, steps);
    }

    /// <summary>Computes the whole problem with up to <paramref name="degreeOfParallelism"/> threads.</summary>
    internal static void Run(in GemmProblem problem, in GemmPlan plan, SimdLevel level, int degreeOfParallelism)
    {
        (int threads, bool splitColumns, int steps) = Partition(problem, plan, degreeOfParallelism);
        if (threads <= 1)
        {
            GemmDriver.Run(problem, plan, level, 0, problem.M, 0, problem.N);
            return;
        }

        int step = splitColumns ? plan.ColumnStep : plan.RowStep;
        int extent = splitColumns ? problem.N : problem.M;
        GemmWorkItem[] items = t_items ??= [];
        if (items.Length < threads - 1)
        {
            Array.Resize(ref items, threads - 1);
            for (int t = 0; t < items.Length; t++) items[t] ??= new GemmWorkItem();
            t_items = items;
        }

        for (int t = 1; t < threads; t++)
        {
            (int start, int end) = Range(t, threads, steps, step, extent);
            GemmWorkItem item = items[t - 1];
            item.Set(problem, plan, level, splitColumns ? 0 : start, splitColumns ? problem.M : end, splitColumns ? start : 0, splitColumns ? end : problem.N);
            ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
        }

        Exception? error = null;
        try
        {
            (int start0, int end0) = Range(0, threads, steps, step, extent);
            GemmDriver.Run(problem, plan, level, splitColumns ? 0 : start0, splitColumns ? problem.M : end0, splitColumns ? start0 : 0, splitColumns ? end0 : problem.N);
        }
        catch (Exception e)
        {
            error = e;
        }

        // Wait for every worker even after a failure: they write through the caller's pinned pointers.
        for (int t = 1; t < threads; t++)
        {
            GemmWorkItem item = items[t - 1];
            item.Done.Wait();
            error ??= item.Error;
            item.Error = null;
        }

        if (error is not null) ExceptionDispatchInfo.Throw(error);
    }

    private static (int Start, int End) Range(int t, int threads, int steps, int step, int extent)
    {
        int first = (int)((long)steps * t / threads);
        int last = (int)((long)steps * (t + 1) / threads);
        return (first * step, Math.Min(extent, last * step));
    }

    /// <summary>One thread's share of a split product.</summary>
    private sealed class GemmWorkItem : IThreadPoolWorkItem
    {
        private GemmProblem _problem;
        private GemmPlan _plan;
        private SimdLevel _level;
        private int _i0, _i1, _j0, _j1;

        internal ManualResetEventSlim Done { get; } = new(false);

        internal Exception? Error { get; set; }

        internal void Set(in GemmProblem problem, in GemmPlan plan, SimdLevel level, int i0, int i1, int j0, int j1)
        {
            _problem = problem;
            _plan = plan;
            _level = level;
            (_i0, _i1, _j0, _j1) = (i0, i1, j0, j1);
            Done.Reset();
        }

        public void Execute()
        {
            try
            {
                GemmDriver.Run(_problem, _plan, _level, _i0, _i1, _j0, _j1);
            }
            catch (Exception e)
            {
                Error = e;
            }
            finally
            {
                Done.Set();
            }
        }
    }
}
