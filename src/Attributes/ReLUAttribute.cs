using System;

namespace Intriguing;

/// <summary>The rectified linear unit <c>max(0, x)</c>, elementwise. Lipschitz constant 1; output ≥ 0.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : Attribute
{
}
