namespace Intriguing.Runtime.Tests;

public class AllocationProbeTests
{
    private static object? s_sink;

    [Fact]
    public void A_per_call_allocation_is_reported_in_every_window()
    {
        int windows = 0;
        long allocated = AllocationProbe.BytesAllocated(() => { windows++; s_sink = new byte[1000]; });
        Assert.Equal(3, windows);
        Assert.True(allocated >= 1000, $"reported {allocated} bytes");
    }

    [Fact]
    public void Work_that_allocates_nothing_stops_at_the_first_clean_window()
    {
        var buffer = new float[64];
        int windows = 0;
        long allocated = AllocationProbe.BytesAllocated(() => { windows++; buffer.AsSpan().Fill(1); });
        Assert.Equal(0, allocated);
        Assert.True(windows <= 3);
        GC.KeepAlive(s_sink);
    }
}
