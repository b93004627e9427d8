using System.Numerics;
using System.Runtime.CompilerServices;

namespace Intriguing.Fourier;

// Radix-11 and radix-13 butterflies, unrolled from the generic odd-prime butterfly (RadixOdd) so that the
// t/u terms stay in registers; 11 and 13 appear in common convolution sizes (11 in 55, 13 in 13 and 26).
internal sealed partial class FftKernel<T>
{
    // Odd-prime butterfly written out for p = 11 (see RadixOdd), c_r = cos(2πr/11), s_r = sin(2πr/11):
    // A_q = a0 + Σ_r c(qr)·t_r, B_q = Σ_r s(qr)·u_r with c(m) = c_{min(m, 11−m)}, s(m) = ±s_{min(m, 11−m)} (− when m mod 11 > 5);
    // y_q / y_{11−q} = A_q ∓ i·B_q.
    private static void Radix11<TV>(ref T src, ref T dst, int n, int ns, int batch, ref T tw, bool inverse)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int m = n / 11;
        nint row = 2 * batch, last = row - 2 * TV.Count, width = 2 * TV.Count;
        nint inStep = m * row, outStep = ns * row;
        TV c1 = TV.Broadcast(T.CreateChecked(Math.Cos(2 * Math.PI / 11)));
        TV c2 = TV.Broadcast(T.CreateChecked(Math.Cos(4 * Math.PI / 11)));
        TV c3 = TV.Broadcast(T.CreateChecked(Math.Cos(6 * Math.PI / 11)));
        TV c4 = TV.Broadcast(T.CreateChecked(Math.Cos(8 * Math.PI / 11)));
        TV c5 = TV.Broadcast(T.CreateChecked(Math.Cos(10 * Math.PI / 11)));
        TV s1 = TV.Broadcast(T.CreateChecked(Math.Sin(2 * Math.PI / 11)));
        TV s2 = TV.Broadcast(T.CreateChecked(Math.Sin(4 * Math.PI / 11)));
        TV s3 = TV.Broadcast(T.CreateChecked(Math.Sin(6 * Math.PI / 11)));
        TV s4 = TV.Broadcast(T.CreateChecked(Math.Sin(8 * Math.PI / 11)));
        TV s5 = TV.Broadcast(T.CreateChecked(Math.Sin(10 * Math.PI / 11)));
        TV rot = inverse ? ComplexVector.Pair<TV, T>(-T.One, T.One) : ComplexVector.Pair<TV, T>(T.One, -T.One);
        for (int j0 = 0; j0 < m; j0 += ns)
        {
            for (int k = 0; k < ns; k++)
            {
                ref T s = ref Unsafe.Add(ref src, (j0 + k) * row);
                ref T d = ref Unsafe.Add(ref dst, (j0 * 11 + k) * row);
                ref T w = ref Unsafe.Add(ref tw, k * 40);
                bool twiddle = k != 0;
                for (nint x = 0; ; x += width)
                {
                    if (x > last) x = last;
                    TV a0 = TV.Load(ref Unsafe.Add(ref s, x));
                    TV a1 = TV.Load(ref Unsafe.Add(ref s, x + 1 * inStep));
                    TV a2 = TV.Load(ref Unsafe.Add(ref s, x + 2 * inStep));
                    TV a3 = TV.Load(ref Unsafe.Add(ref s, x + 3 * inStep));
                    TV a4 = TV.Load(ref Unsafe.Add(ref s, x + 4 * inStep));
                    TV a5 = TV.Load(ref Unsafe.Add(ref s, x + 5 * inStep));
                    TV a6 = TV.Load(ref Unsafe.Add(ref s, x + 6 * inStep));
                    TV a7 = TV.Load(ref Unsafe.Add(ref s, x + 7 * inStep));
                    TV a8 = TV.Load(ref Unsafe.Add(ref s, x + 8 * inStep));
                    TV a9 = TV.Load(ref Unsafe.Add(ref s, x + 9 * inStep));
                    TV a10 = TV.Load(ref Unsafe.Add(ref s, x + 10 * inStep));
                    if (twiddle)
                    {
                        a1 = ComplexVector.Twiddle<TV, T>(a1, TV.BroadcastPair(ref Unsafe.Add(ref w, 0)), TV.BroadcastPair(ref Unsafe.Add(ref w, 2)));
                        a2 = ComplexVector.Twiddle<TV, T>(a2, TV.BroadcastPair(ref Unsafe.Add(ref w, 4)), TV.BroadcastPair(ref Unsafe.Add(ref w, 6)));
                        a3 = ComplexVector.Twiddle<TV, T>(a3, TV.BroadcastPair(ref Unsafe.Add(ref w, 8)), TV.BroadcastPair(ref Unsafe.Add(ref w, 10)));
                        a4 = ComplexVector.Twiddle<TV, T>(a4, TV.BroadcastPair(ref Unsafe.Add(ref w, 12)), TV.BroadcastPair(ref Unsafe.Add(ref w, 14)));
                        a5 = ComplexVector.Twiddle<TV, T>(a5, TV.BroadcastPair(ref Unsafe.Add(ref w, 16)), TV.BroadcastPair(ref Unsafe.Add(ref w, 18)));
                        a6 = ComplexVector.Twiddle<TV, T>(a6, TV.BroadcastPair(ref Unsafe.Add(ref w, 20)), TV.BroadcastPair(ref Unsafe.Add(ref w, 22)));
                        a7 = ComplexVector.Twiddle<TV, T>(a7, TV.BroadcastPair(ref Unsafe.Add(ref w, 24)), TV.BroadcastPair(ref Unsafe.Add(ref w, 26)));
                        a8 = ComplexVector.Twiddle<TV, T>(a8, TV.BroadcastPair(ref Unsafe.Add(ref w, 28)), TV.BroadcastPair(ref Unsafe.Add(ref w, 30)));
                        a9 = ComplexVector.Twiddle<TV, T>(a9, TV.BroadcastPair(ref Unsafe.Add(ref w, 32)), TV.BroadcastPair(ref Unsafe.Add(ref w, 34)));
                        a10 = ComplexVector.Twiddle<TV, T>(a10, TV.BroadcastPair(ref Unsafe.Add(ref w, 36)), TV.BroadcastPair(ref Unsafe.Add(ref w, 38)));
                    }
                    TV t1 = a1 + a10, u1 = a1 - a10;
                    TV t2 = a2 + a9, u2 = a2 - a9;
                    TV t3 = a3 + a8, u3 = a3 - a8;
                    TV t4 = a4 + a7, u4 = a4 - a7;
                    TV t5 = a5 + a6, u5 = a5 - a6;
                    TV.Store(ref Unsafe.Add(ref d, x), a0 + t1 + t2 + t3 + t4 + t5);
                    TV big1 = TV.MultiplyAdd(c5, t5, TV.MultiplyAdd(c4, t4, TV.MultiplyAdd(c3, t3, TV.MultiplyAdd(c2, t2, TV.MultiplyAdd(c1, t1, a0)))));
                    TV b1 = TV.Swap(TV.MultiplyAdd(s5, u5, TV.MultiplyAdd(s4, u4, TV.MultiplyAdd(s3, u3, TV.MultiplyAdd(s2, u2, s1 * u1))))) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 1 * outStep), big1 + b1);
                    TV.Store(ref Unsafe.Add(ref d, x + 10 * outStep), big1 - b1);
                    TV big2 = TV.MultiplyAdd(c1, t5, TV.MultiplyAdd(c3, t4, TV.MultiplyAdd(c5, t3, TV.MultiplyAdd(c4, t2, TV.MultiplyAdd(c2, t1, a0)))));
                    TV b2 = TV.Swap(TV.MultiplyAdd(s4, u2, s2 * u1) - s5 * u3 - s3 * u4 - s1 * u5) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 2 * outStep), big2 + b2);
                    TV.Store(ref Unsafe.Add(ref d, x + 9 * outStep), big2 - b2);
                    TV big3 = TV.MultiplyAdd(c4, t5, TV.MultiplyAdd(c1, t4, TV.MultiplyAdd(c2, t3, TV.MultiplyAdd(c5, t2, TV.MultiplyAdd(c3, t1, a0)))));
                    TV b3 = TV.Swap(TV.MultiplyAdd(s4, u5, TV.MultiplyAdd(s1, u4, s3 * u1)) - s5 * u2 - s2 * u3) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 3 * outStep), big3 + b3);
                    TV.Store(ref Unsafe.Add(ref d, x + 8 * outStep), big3 - b3);
                    TV big4 = TV.MultiplyAdd(c2, t5, TV.MultiplyAdd(c5, t4, TV.MultiplyAdd(c1, t3, TV.MultiplyAdd(c3, t2, TV.MultiplyAdd(c4, t1, a0)))));
                    TV b4 = TV.Swap(TV.MultiplyAdd(s5, u4, TV.MultiplyAdd(s1, u3, s4 * u1)) - s3 * u2 - s2 * u5) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 4 * outStep), big4 + b4);
                    TV.Store(ref Unsafe.Add(ref d, x + 7 * outStep), big4 - b4);
                    TV big5 = TV.MultiplyAdd(c3, t5, TV.MultiplyAdd(c2, t4, TV.MultiplyAdd(c4, t3, TV.MultiplyAdd(c1, t2, TV.MultiplyAdd(c5, t1, a0)))));
                    TV b5 = TV.Swap(TV.MultiplyAdd(s3, u5, TV.MultiplyAdd(s4, u3, s5 * u1)) - s1 * u2 - s2 * u4) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 5 * outStep), big5 + b5);
                    TV.Store(ref Unsafe.Add(ref d, x + 6 * outStep), big5 - b5);
                    if (x == last) break;
                }
            }
        }
    }

    // Odd-prime butterfly written out for p = 13 (see RadixOdd), c_r = cos(2πr/13), s_r = sin(2πr/13):
    // A_q = a0 + Σ_r c(qr)·t_r, B_q = Σ_r s(qr)·u_r with c(m) = c_{min(m, 13−m)}, s(m) = ±s_{min(m, 13−m)} (− when m mod 13 > 6);
    // y_q / y_{13−q} = A_q ∓ i·B_q.
    private static void Radix13<TV>(ref T src, ref T dst, int n, int ns, int batch, ref T tw, bool inverse)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int m = n / 13;
        nint row = 2 * batch, last = row - 2 * TV.Count, width = 2 * TV.Count;
        nint inStep = m * row, outStep = ns * row;
        TV c1 = TV.Broadcast(T.CreateChecked(Math.Cos(2 * Math.PI / 13)));
        TV c2 = TV.Broadcast(T.CreateChecked(Math.Cos(4 * Math.PI / 13)));
        TV c3 = TV.Broadcast(T.CreateChecked(Math.Cos(6 * Math.PI / 13)));
        TV c4 = TV.Broadcast(T.CreateChecked(Math.Cos(8 * Math.PI / 13)));
        TV c5 = TV.Broadcast(T.CreateChecked(Math.Cos(10 * Math.PI / 13)));
        TV c6 = TV.Broadcast(T.CreateChecked(Math.Cos(12 * Math.PI / 13)));
        TV s1 = TV.Broadcast(T.CreateChecked(Math.Sin(2 * Math.PI / 13)));
        TV s2 = TV.Broadcast(T.CreateChecked(Math.Sin(4 * Math.PI / 13)));
        TV s3 = TV.Broadcast(T.CreateChecked(Math.Sin(6 * Math.PI / 13)));
        TV s4 = TV.Broadcast(T.CreateChecked(Math.Sin(8 * Math.PI / 13)));
        TV s5 = TV.Broadcast(T.CreateChecked(Math.Sin(10 * Math.PI / 13)));
        TV s6 = TV.Broadcast(T.CreateChecked(Math.Sin(12 * Math.PI / 13)));
        TV rot = inverse ? ComplexVector.Pair<TV, T>(-T.One, T.One) : ComplexVector.Pair<TV, T>(T.One, -T.One);
        for (int j0 = 0; j0 < m; j0 += ns)
        {
            for (int k = 0; k < ns; k++)
            {
                ref T s = ref Unsafe.Add(ref src, (j0 + k) * row);
                ref T d = ref Unsafe.Add(ref dst, (j0 * 13 + k) * row);
                ref T w = ref Unsafe.Add(ref tw, k * 48);
                bool twiddle = k != 0;
                for (nint x = 0; ; x += width)
                {
                    if (x > last) x = last;
                    TV a0 = TV.Load(ref Unsafe.Add(ref s, x));
                    TV a1 = TV.Load(ref Unsafe.Add(ref s, x + 1 * inStep));
                    TV a2 = TV.Load(ref Unsafe.Add(ref s, x + 2 * inStep));
                    TV a3 = TV.Load(ref Unsafe.Add(ref s, x + 3 * inStep));
                    TV a4 = TV.Load(ref Unsafe.Add(ref s, x + 4 * inStep));
                    TV a5 = TV.Load(ref Unsafe.Add(ref s, x + 5 * inStep));
                    TV a6 = TV.Load(ref Unsafe.Add(ref s, x + 6 * inStep));
                    TV a7 = TV.Load(ref Unsafe.Add(ref s, x + 7 * inStep));
                    TV a8 = TV.Load(ref Unsafe.Add(ref s, x + 8 * inStep));
                    TV a9 = TV.Load(ref Unsafe.Add(ref s, x + 9 * inStep));
                    TV a10 = TV.Load(ref Unsafe.Add(ref s, x + 10 * inStep));
                    TV a11 = TV.Load(ref Unsafe.Add(ref s, x + 11 * inStep));
                    TV a12 = TV.Load(ref Unsafe.Add(ref s, x + 12 * inStep));
                    if (twiddle)
                    {
                        a1 = ComplexVector.Twiddle<TV, T>(a1, TV.BroadcastPair(ref Unsafe.Add(ref w, 0)), TV.BroadcastPair(ref Unsafe.Add(ref w, 2)));
                        a2 = ComplexVector.Twiddle<TV, T>(a2, TV.BroadcastPair(ref Unsafe.Add(ref w, 4)), TV.BroadcastPair(ref Unsafe.Add(ref w, 6)));
                        a3 = ComplexVector.Twiddle<TV, T>(a3, TV.BroadcastPair(ref Unsafe.Add(ref w, 8)), TV.BroadcastPair(ref Unsafe.Add(ref w, 10)));
                        a4 = ComplexVector.Twiddle<TV, T>(a4, TV.BroadcastPair(ref Unsafe.Add(ref w, 12)), TV.BroadcastPair(ref Unsafe.Add(ref w, 14)));
                        a5 = ComplexVector.Twiddle<TV, T>(a5, TV.BroadcastPair(ref Unsafe.Add(ref w, 16)), TV.BroadcastPair(ref Unsafe.Add(ref w, 18)));
                        a6 = ComplexVector.Twiddle<TV, T>(a6, TV.BroadcastPair(ref Unsafe.Add(ref w, 20)), TV.BroadcastPair(ref Unsafe.Add(ref w, 22)));
                        a7 = ComplexVector.Twiddle<TV, T>(a7, TV.BroadcastPair(ref Unsafe.Add(ref w, 24)), TV.BroadcastPair(ref Unsafe.Add(ref w, 26)));
                        a8 = ComplexVector.Twiddle<TV, T>(a8, TV.BroadcastPair(ref Unsafe.Add(ref w, 28)), TV.BroadcastPair(ref Unsafe.Add(ref w, 30)));
                        a9 = ComplexVector.Twiddle<TV, T>(a9, TV.BroadcastPair(ref Unsafe.Add(ref w, 32)), TV.BroadcastPair(ref Unsafe.Add(ref w, 34)));
                        a10 = ComplexVector.Twiddle<TV, T>(a10, TV.BroadcastPair(ref Unsafe.Add(ref w, 36)), TV.BroadcastPair(ref Unsafe.Add(ref w, 38)));
                        a11 = ComplexVector.Twiddle<TV, T>(a11, TV.BroadcastPair(ref Unsafe.Add(ref w, 40)), TV.BroadcastPair(ref Unsafe.Add(ref w, 42)));
                        a12 = ComplexVector.Twiddle<TV, T>(a12, TV.BroadcastPair(ref Unsafe.Add(ref w, 44)), TV.BroadcastPair(ref Unsafe.Add(ref w, 46)));
                    }
                    TV t1 = a1 + a12, u1 = a1 - a12;
                    TV t2 = a2 + a11, u2 = a2 - a11;
                    TV t3 = a3 + a10, u3 = a3 - a10;
                    TV t4 = a4 + a9, u4 = a4 - a9;
                    TV t5 = a5 + a8, u5 = a5 - a8;
                    TV t6 = a6 + a7, u6 = a6 - a7;
                    TV.Store(ref Unsafe.Add(ref d, x), a0 + t1 + t2 + t3 + t4 + t5 + t6);
                    TV big1 = TV.MultiplyAdd(c6, t6, TV.MultiplyAdd(c5, t5, TV.MultiplyAdd(c4, t4, TV.MultiplyAdd(c3, t3, TV.MultiplyAdd(c2, t2, TV.MultiplyAdd(c1, t1, a0))))));
                    TV b1 = TV.Swap(TV.MultiplyAdd(s6, u6, TV.MultiplyAdd(s5, u5, TV.MultiplyAdd(s4, u4, TV.MultiplyAdd(s3, u3, TV.MultiplyAdd(s2, u2, s1 * u1)))))) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 1 * outStep), big1 + b1);
                    TV.Store(ref Unsafe.Add(ref d, x + 12 * outStep), big1 - b1);
                    TV big2 = TV.MultiplyAdd(c1, t6, TV.MultiplyAdd(c3, t5, TV.MultiplyAdd(c5, t4, TV.MultiplyAdd(c6, t3, TV.MultiplyAdd(c4, t2, TV.MultiplyAdd(c2, t1, a0))))));
                    TV b2 = TV.Swap(TV.MultiplyAdd(s6, u3, TV.MultiplyAdd(s4, u2, s2 * u1)) - s5 * u4 - s3 * u5 - s1 * u6) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 2 * outStep), big2 + b2);
                    TV.Store(ref Unsafe.Add(ref d, x + 11 * outStep), big2 - b2);
                    TV big3 = TV.MultiplyAdd(c5, t6, TV.MultiplyAdd(c2, t5, TV.MultiplyAdd(c1, t4, TV.MultiplyAdd(c4, t3, TV.MultiplyAdd(c6, t2, TV.MultiplyAdd(c3, t1, a0))))));
                    TV b3 = TV.Swap(TV.MultiplyAdd(s5, u6, TV.MultiplyAdd(s2, u5, TV.MultiplyAdd(s6, u2, s3 * u1))) - s4 * u3 - s1 * u4) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 3 * outStep), big3 + b3);
                    TV.Store(ref Unsafe.Add(ref d, x + 10 * outStep), big3 - b3);
                    TV big4 = TV.MultiplyAdd(c2, t6, TV.MultiplyAdd(c6, t5, TV.MultiplyAdd(c3, t4, TV.MultiplyAdd(c1, t3, TV.MultiplyAdd(c5, t2, TV.MultiplyAdd(c4, t1, a0))))));
                    TV b4 = TV.Swap(TV.MultiplyAdd(s3, u4, s4 * u1) - s5 * u2 - s1 * u3 - s6 * u5 - s2 * u6) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 4 * outStep), big4 + b4);
                    TV.Store(ref Unsafe.Add(ref d, x + 9 * outStep), big4 - b4);
                    TV big5 = TV.MultiplyAdd(c4, t6, TV.MultiplyAdd(c1, t5, TV.MultiplyAdd(c6, t4, TV.MultiplyAdd(c2, t3, TV.MultiplyAdd(c3, t2, TV.MultiplyAdd(c5, t1, a0))))));
                    TV b5 = TV.Swap(TV.MultiplyAdd(s4, u6, TV.MultiplyAdd(s2, u3, s5 * u1)) - s3 * u2 - s6 * u4 - s1 * u5) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 5 * outStep), big5 + b5);
                    TV.Store(ref Unsafe.Add(ref d, x + 8 * outStep), big5 - b5);
                    TV big6 = TV.MultiplyAdd(c3, t6, TV.MultiplyAdd(c4, t5, TV.MultiplyAdd(c2, t4, TV.MultiplyAdd(c5, t3, TV.MultiplyAdd(c1, t2, TV.MultiplyAdd(c6, t1, a0))))));
                    TV b6 = TV.Swap(TV.MultiplyAdd(s4, u5, TV.MultiplyAdd(s5, u3, s6 * u1)) - s1 * u2 - s2 * u4 - s3 * u6) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + 6 * outStep), big6 + b6);
                    TV.Store(ref Unsafe.Add(ref d, x + 7 * outStep), big6 - b6);
                    if (x == last) break;
                }
            }
        }
    }
}
