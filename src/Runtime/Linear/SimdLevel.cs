
namespace Intriguing.Linear;

/// <summary>Which of the <see cref="ISimdOps{TVec}"/> implementations this process runs.</summary>
internal enum SimdLevel
{
    /// <summary><see cref="OpsScalar"/>.</summary>
    Scalar,

    /// <summary><see cref="Ops128"/>.</summary>
    Vector128,

    /// <summary><see cref="Ops256"/>.</summary>
    Vector256,

    /// <summary><see cref="Ops512"/>.</summary>
    Vector512,
}
