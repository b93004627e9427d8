using System;

namespace Intriguing;

/// <summary>The hyperbolic tangent, elementwise. Lipschitz constant 1; output in (−1, 1).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : Attribute
{
}
