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

    [Fact]
    public void Pinned_runs_interleaved_with_claimed_runs_run_every_part_exactly_once()
    {
        // Pinned and ordinary runs back to back: a helper that sees a stale generation must neither run a pinned part
        // twice nor miss one, and the caller always runs part 0 itself.
        using var pool = new WorkerPool(3);
        int[] counts = new int[16];
        int caller = Environment.CurrentManagedThreadId, part0Elsewhere = 0;
        Action<int> pinned = p =>
        {
            Interlocked.Increment(ref counts[p]);
            if (p == 0 && Environment.CurrentManagedThreadId != caller) Interlocked.Increment(ref part0Elsewhere);
        };
        Action<int> claimed = c => Interlocked.Increment(ref counts[c]);
        for (int run = 0; run < 20_000; run++)
        {
            Array.Clear(counts);
            int size = run % 3 == 0 ? 1 + (run % 11) : pool.Threads;
            if (run % 3 == 0) pool.Run(size, claimed);
            else pool.RunPinned(pinned);
            for (int c = 0; c < counts.Length; c++)
            {
                if (counts[c] != (c < size ? 1 : 0)) Assert.Fail($"run {run} ({(run % 3 == 0 ? "claimed" : "pinned")}, {size} parts): part {c} ran {counts[c]} times");
            }
        }

        Assert.Equal(0, part0Elsewhere);
    }

    [Fact]
    public void Pinned_runs_complete_when_the_helpers_have_gone_to_sleep()
    {
        // After an idle spell the helpers block on their events; a pinned run must wake them or do their parts itself.
        using var pool = new WorkerPool(3);
        int[] counts = new int[3];
        Action<int> job = p => Interlocked.Increment(ref counts[p]);
        for (int round = 0; round < 5; round++)
        {
            Thread.Sleep(30);
            Array.Clear(counts);
            pool.RunPinned(job);
            Assert.Equal([1, 1, 1], counts);
        }
    }

    [Fact]
    public void A_failing_pinned_part_is_reported_after_the_others_finish()
    {
        using var pool = new WorkerPool(3);
        int finished = 0;
        var error = Assert.Throws<AggregateException>(() => pool.RunPinned(p =>
        {
            if (p == 1) throw new InvalidOperationException("part 1");
            Interlocked.Increment(ref finished);
        }));
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal(2, finished);
    }

    [Fact]
    public void Binding_the_threads_gives_the_caller_its_processors_back()
    {
        byte[]? before = ThreadAffinity.Get();
        using (var pool = new WorkerPool(2))
        {
            using (pool.BindThreads())
            {
                byte[]? bound = ThreadAffinity.Get();
                if (before is not null && ThreadAffinity.First(before, 2) is { } cpus)
                {
                    Assert.Equal(ThreadAffinity.Only(cpus[0]), bound);
                }
            }

            Assert.Equal(before, ThreadAffinity.Get());
        }
    }
}
