using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.ComponentModel;

namespace Intriguing.Generated;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// A pinned float array whose visible part starts on a 64-byte boundary, so that SIMD loads of parameter blocks
/// never straddle a cache line at the block start. Used for network parameter buffers.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class AlignedBuffer
{
    private const int AlignmentBytes = 64;
    private readonly float[] _storage;
    private readonly int _origin;

    /// <summary>Allocates <paramref name="length"/> zeroed floats.</summary>
    /// <param name="length">Number of values; non-negative.</param>
    public unsafe AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _storage = GC.AllocateArray<float>(length + AlignmentBytes / sizeof(float), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        int misalignment = (int)(address & (AlignmentBytes - 1));
        _origin = misalignment == 0 ? 0 : (AlignmentBytes - misalignment) / sizeof(float);
        Length = length;
    }

    /// <summary>Number of values.</summary>
    public int Length { get; }

    /// <summary>The first value; the storage is pinned, so the address stays valid while the buffer lives.</summary>
    internal unsafe float* Pointer => (float*)Unsafe.AsPointer(ref _storage[_origin]);

    /// <summary>The values.</summary>
    public Span<float> Span => new(_storage, _origin, Length);
}
