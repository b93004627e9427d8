
namespace Intriguing.Linear;

/// <summary>A compile-time integer: kernels take it as a type argument so the JIT folds it into a constant.</summary>
internal interface IConstant
{
    static abstract int Value { get; }
}

#pragma warning disable CS1591 // Tiny constant carriers, self-describing.
internal readonly struct N1 : IConstant { public static int Value => 1; }
internal readonly struct N2 : IConstant { public static int Value => 2; }
internal readonly struct N3 : IConstant { public static int Value => 3; }
internal readonly struct N4 : IConstant { public static int Value => 4; }
internal readonly struct N5 : IConstant { public static int Value => 5; }
internal readonly struct N6 : IConstant { public static int Value => 6; }
internal readonly struct N7 : IConstant { public static int Value => 7; }
internal readonly struct N8 : IConstant { public static int Value => 8; }
internal readonly struct N9 : IConstant { public static int Value => 9; }
internal readonly struct N10 : IConstant { public static int Value => 10; }
internal readonly struct N11 : IConstant { public static int Value => 11; }
internal readonly struct N12 : IConstant { public static int Value => 12; }
internal readonly struct N13 : IConstant { public static int Value => 13; }
internal readonly struct N14 : IConstant { public static int Value => 14; }
#pragma warning restore CS1591
