using System;

namespace Intriguing;

/// <summary>The logistic sigmoid <c>σ(x) = 1 / (1 + e^(−x))</c>, elementwise. Lipschitz constant 1/4; output in (0, 1).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : Attribute
{
}
