// Written by GemmKernels.Generate.py. Function-pointer tables over the kernel instantiations, indexed [(rows - 1) * 4 + (vectors - 1)].
namespace Intriguing.Linear;

internal static unsafe partial class GemmKernels
{
    /// <summary>Largest tile height the tables hold.</summary>
    internal const int MaxRows = 14;

    /// <summary>Largest tile width, in vectors, the tables hold.</summary>
    internal const int MaxVectors = 4;

    /// <summary>Most accumulators a tile may use (rows × vectors), leaving registers for B and the broadcast.</summary>
    internal const int MaxAccumulators = 28;

    /// <summary>Kernel tables for one vector width.</summary>
    internal static class Table<TOps, TVec>
        where TOps : ISimdOps<TVec>
        where TVec : struct
    {
        /// <summary><see cref="Tile{TOps, TVec, TRows, TVectors}"/> by [(rows - 1) * 4 + (vectors - 1)]; null where rows × vectors exceeds <see cref="MaxAccumulators"/>.</summary>
        internal static readonly delegate*<int, nint, int, float*, nint, nint, float*, nint, float*, nint, bool, void>[] Tiles =
        [
            &Tile<TOps, TVec, N1, N1>,
            &Tile<TOps, TVec, N1, N2>,
            &Tile<TOps, TVec, N1, N3>,
            &Tile<TOps, TVec, N1, N4>,
            &Tile<TOps, TVec, N2, N1>,
            &Tile<TOps, TVec, N2, N2>,
            &Tile<TOps, TVec, N2, N3>,
            &Tile<TOps, TVec, N2, N4>,
            &Tile<TOps, TVec, N3, N1>,
            &Tile<TOps, TVec, N3, N2>,
            &Tile<TOps, TVec, N3, N3>,
            &Tile<TOps, TVec, N3, N4>,
            &Tile<TOps, TVec, N4, N1>,
            &Tile<TOps, TVec, N4, N2>,
            &Tile<TOps, TVec, N4, N3>,
            &Tile<TOps, TVec, N4, N4>,
            &Tile<TOps, TVec, N5, N1>,
            &Tile<TOps, TVec, N5, N2>,
            &Tile<TOps, TVec, N5, N3>,
            &Tile<TOps, TVec, N5, N4>,
            &Tile<TOps, TVec, N6, N1>,
            &Tile<TOps, TVec, N6, N2>,
            &Tile<TOps, TVec, N6, N3>,
            &Tile<TOps, TVec, N6, N4>,
            &Tile<TOps, TVec, N7, N1>,
            &Tile<TOps, TVec, N7, N2>,
            &Tile<TOps, TVec, N7, N3>,
            &Tile<TOps, TVec, N7, N4>,
            &Tile<TOps, TVec, N8, N1>,
            &Tile<TOps, TVec, N8, N2>,
            &Tile<TOps, TVec, N8, N3>,
            null,
            &Tile<TOps, TVec, N9, N1>,
            &Tile<TOps, TVec, N9, N2>,
            &Tile<TOps, TVec, N9, N3>,
            null,
            &Tile<TOps, TVec, N10, N1>,
            &Tile<TOps, TVec, N10, N2>,
            null,
            null,
            &Tile<TOps, TVec, N11, N1>,
            &Tile<TOps, TVec, N11, N2>,
            null,
            null,
            &Tile<TOps, TVec, N12, N1>,
            &Tile<TOps, TVec, N12, N2>,
            null,
            null,
            &Tile<TOps, TVec, N13, N1>,
            &Tile<TOps, TVec, N13, N2>,
            null,
            null,
            &Tile<TOps, TVec, N14, N1>,
            &Tile<TOps, TVec, N14, N2>,
            null,
            null,
        ];

        /// <summary><see cref="TileMasked{TOps, TVec, TRows, TVectors}"/>, indexed like <see cref="Tiles"/>.</summary>
        internal static readonly delegate*<int, nint, int, float*, nint, nint, float*, nint, float*, nint, bool, int, void>[] MaskedTiles =
        [
            &TileMasked<TOps, TVec, N1, N1>,
            &TileMasked<TOps, TVec, N1, N2>,
            &TileMasked<TOps, TVec, N1, N3>,
            &TileMasked<TOps, TVec, N1, N4>,
            &TileMasked<TOps, TVec, N2, N1>,
            &TileMasked<TOps, TVec, N2, N2>,
            &TileMasked<TOps, TVec, N2, N3>,
            &TileMasked<TOps, TVec, N2, N4>,
            &TileMasked<TOps, TVec, N3, N1>,
            &TileMasked<TOps, TVec, N3, N2>,
            &TileMasked<TOps, TVec, N3, N3>,
            &TileMasked<TOps, TVec, N3, N4>,
            &TileMasked<TOps, TVec, N4, N1>,
            &TileMasked<TOps, TVec, N4, N2>,
            &TileMasked<TOps, TVec, N4, N3>,
            &TileMasked<TOps, TVec, N4, N4>,
            &TileMasked<TOps, TVec, N5, N1>,
            &TileMasked<TOps, TVec, N5, N2>,
            &TileMasked<TOps, TVec, N5, N3>,
            &TileMasked<TOps, TVec, N5, N4>,
            &TileMasked<TOps, TVec, N6, N1>,
            &TileMasked<TOps, TVec, N6, N2>,
            &TileMasked<TOps, TVec, N6, N3>,
            &TileMasked<TOps, TVec, N6, N4>,
            &TileMasked<TOps, TVec, N7, N1>,
            &TileMasked<TOps, TVec, N7, N2>,
            &TileMasked<TOps, TVec, N7, N3>,
            &TileMasked<TOps, TVec, N7, N4>,
            &TileMasked<TOps, TVec, N8, N1>,
            &TileMasked<TOps, TVec, N8, N2>,
            &TileMasked<TOps, TVec, N8, N3>,
            null,
            &TileMasked<TOps, TVec, N9, N1>,
            &TileMasked<TOps, TVec, N9, N2>,
            &TileMasked<TOps, TVec, N9, N3>,
            null,
            &TileMasked<TOps, TVec, N10, N1>,
            &TileMasked<TOps, TVec, N10, N2>,
            null,
            null,
            &TileMasked<TOps, TVec, N11, N1>,
            &TileMasked<TOps, TVec, N11, N2>,
            null,
            null,
            &TileMasked<TOps, TVec, N12, N1>,
            &TileMasked<TOps, TVec, N12, N2>,
            null,
            null,
            &TileMasked<TOps, TVec, N13, N1>,
            &TileMasked<TOps, TVec, N13, N2>,
            null,
            null,
            &TileMasked<TOps, TVec, N14, N1>,
            &TileMasked<TOps, TVec, N14, N2>,
            null,
            null,
        ];

        /// <summary><see cref="DotTile{TOps, TVec, TRows, TCols}"/> by [(rows - 1) * 4 + (cols - 1)].</summary>
        internal static readonly delegate*<int, float*, nint, float*, nint, float*, nint, bool, void>[] Dots =
        [
            &DotTile<TOps, TVec, N1, N1>,
            &DotTile<TOps, TVec, N1, N2>,
            &DotTile<TOps, TVec, N1, N3>,
            &DotTile<TOps, TVec, N1, N4>,
            &DotTile<TOps, TVec, N2, N1>,
            &DotTile<TOps, TVec, N2, N2>,
            &DotTile<TOps, TVec, N2, N3>,
            &DotTile<TOps, TVec, N2, N4>,
            &DotTile<TOps, TVec, N3, N1>,
            &DotTile<TOps, TVec, N3, N2>,
            &DotTile<TOps, TVec, N3, N3>,
            &DotTile<TOps, TVec, N3, N4>,
            &DotTile<TOps, TVec, N4, N1>,
            &DotTile<TOps, TVec, N4, N2>,
            &DotTile<TOps, TVec, N4, N3>,
            &DotTile<TOps, TVec, N4, N4>,
        ];
    }
}
