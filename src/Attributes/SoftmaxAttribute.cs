using System;

namespace Intriguing;

/// <summary>
/// The soft-max <c>p_i = e^(x_i) / Σ_j e^(x_j)</c>, computed stably (the maximum is subtracted first).
/// It must be the last layer; a network ending in soft-max is trained with cross-entropy against labels.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : Attribute
{
}
