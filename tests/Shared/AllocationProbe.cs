namespace Intriguing.Tests;

/// <summary>
/// Counts the bytes that work allocates on the calling thread. A per-call allocation shows in every measurement window;
/// the runtime itself (a tiering or OSR transition landing during the window, billed to the measuring thread) may
/// allocate once in a while, so the window is measured up to three times and the first clean count is returned.
/// </summary>
internal static class AllocationProbe
{
    /// <summary>Runs <paramref name="work"/> in up to three windows and returns the allocated bytes of the last one run (0 if any was clean).</summary>
    public static long BytesAllocated(Action work)
    {
        long allocated = long.MaxValue;
        for (int window = 0; window < 3 && allocated != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            work();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        return allocated;
    }
}
