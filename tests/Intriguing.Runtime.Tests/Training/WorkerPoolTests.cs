using Intriguing.Training;

namespace Intriguing.Runtime.Tests.Training;

public sealed class WorkerPoolTests
{
    [Fact]
    public void Every_chunk_runs_exactly_once_per_run_whatever_the_chunk_counts()
    {
        // Runs of varying sizes back to back: a helper that wakes late must never take a chunk of a later run.
        using var pool = new WorkerPool(3);
        int[] counts = new int[64];
        int size = 0;
        Action<int> job = c => Interlocked.Increment(ref counts[c]);
        for (int run = 0; run < 20_000; run++)
        {
            size = 1 + (run * 7 % 13);
            Array.Clear(counts);
            pool.Run(size, job);
            for (int c = 0; c < counts.Length; c++)
            {
                if (counts[c] != (c < size ? 1 : 0)) Assert.Fail($"run {run} of {size} chunks: chunk {c} ran {counts[c]} times");
            }
        }
    }

    [Fact]
    public void A_failing_chunk_is_reported_after_the_others_finish()
    {
        using var pool = new WorkerPool(2);
        int finished = 0;
        var error = Assert.Throws<AggregateException>(() => pool.Run(8, c =>
        {
            if (c == 3) throw new InvalidOperationException("chunk 3");
            Interlocked.Increment(ref finished);
        }));
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal(7, finished);
    }
}
