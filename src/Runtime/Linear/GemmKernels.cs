using System.Runtime.CompilerServices;

namespace Intriguing.Linear;

/// <summary>
/// GEMM micro-kernels: broadcast tiles (<see cref="Tile{TOps, TVec, TRows, TVectors}"/>) and dot-product tiles
/// (<see cref="DotTile{TOps, TVec, TRows, TCols}"/>), generic over the vector width and the tile shape so the JIT
/// emits one straight-line kernel per instantiation with every accumulator in a register.
/// </summary>
internal static unsafe partial class GemmKernels
{
    /// <summary><c>*p = overwrite ? v : *p + v</c>, one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TOps, TVec>(float* p, TVec v, bool overwrite)
        where TOps : ISimdOps<TVec>
        where TVec : struct
    {
        TOps.Store(p, overwrite ? v : TOps.Add(TOps.Load(p), v));
    }

    /// <summary><c>*p = overwrite ? v : *p + v</c> in the lanes of <paramref name="mask"/>; other lanes of memory untouched.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreMasked<TOps, TVec>(float* p, TVec v, bool overwrite, TVec mask)
        where TOps : ISimdOps<TVec>
        where TVec : struct
    {
        TOps.StoreMasked(p, mask, overwrite ? v : TOps.Add(TOps.LoadMasked(p, mask), v));
    }
}
