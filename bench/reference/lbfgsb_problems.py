"""Test problems shared by lbfgsb_scipy.py; mirrored exactly in
tests/Intriguing.Runtime.Tests/Optimization/TestProblems.cs (same formulas, starting points and bounds).

Moré, Garbow and Hillstrom, "Testing unconstrained optimization software", ACM TOMS 7 (1981), plus two convex
quadratics with half of the bounds active."""
import numpy as np

INF = np.inf


def rosenbrock(x):
    a, b = x[0::2], x[1::2]
    t = b - a * a
    f = np.sum(100.0 * t * t + (1.0 - a) ** 2)
    g = np.empty_like(x)
    g[0::2] = -400.0 * a * t - 2.0 * (1.0 - a)
    g[1::2] = 200.0 * t
    return f, g


def powell(x):
    x1, x2, x3, x4 = x[0::4], x[1::4], x[2::4], x[3::4]
    a = x1 + 10.0 * x2
    b = x3 - x4
    c = x2 - 2.0 * x3
    e = x1 - x4
    f = np.sum(a * a + 5.0 * b * b + c ** 4 + 10.0 * e ** 4)
    g = np.empty_like(x)
    g[0::4] = 2.0 * a + 40.0 * e ** 3
    g[1::4] = 20.0 * a + 4.0 * c ** 3
    g[2::4] = 10.0 * b - 8.0 * c ** 3
    g[3::4] = -10.0 * b - 40.0 * e ** 3
    return f, g


def beale(x):
    x1, x2 = x
    f = 0.0
    g1 = g2 = 0.0
    for k, y in ((1, 1.5), (2, 2.25), (3, 2.625)):
        t = 1.0 - x2 ** k
        r = y - x1 * t
        f += r * r
        g1 += 2.0 * r * (-t)
        g2 += 2.0 * r * x1 * k * x2 ** (k - 1)
    return f, np.array([g1, g2])


def wood(x):
    x1, x2, x3, x4 = x
    f = (100.0 * (x2 - x1 * x1) ** 2 + (1.0 - x1) ** 2 + 90.0 * (x4 - x3 * x3) ** 2 + (1.0 - x3) ** 2
         + 10.1 * ((x2 - 1.0) ** 2 + (x4 - 1.0) ** 2) + 19.8 * (x2 - 1.0) * (x4 - 1.0))
    g = np.array([
        -400.0 * x1 * (x2 - x1 * x1) - 2.0 * (1.0 - x1),
        200.0 * (x2 - x1 * x1) + 20.2 * (x2 - 1.0) + 19.8 * (x4 - 1.0),
        -360.0 * x3 * (x4 - x3 * x3) - 2.0 * (1.0 - x3),
        180.0 * (x4 - x3 * x3) + 20.2 * (x4 - 1.0) + 19.8 * (x2 - 1.0)])
    return f, g


def trigonometric(x):
    n = x.size
    c, s = np.cos(x), np.sin(x)
    i = np.arange(1, n + 1, dtype=float)
    r = n - np.sum(c) + i * (1.0 - c) - s
    f = np.sum(r * r)
    g = 2.0 * s * np.sum(r) + 2.0 * r * (i * s - c)
    return f, g


def helical_valley(x):
    x1, x2, x3 = x
    theta = np.arctan(x2 / x1) / (2.0 * np.pi) + (0.5 if x1 < 0 else 0.0)
    r2 = x1 * x1 + x2 * x2
    r = np.sqrt(r2)
    a = x3 - 10.0 * theta
    b = r - 1.0
    f = 100.0 * (a * a + b * b) + x3 * x3
    dth1 = -x2 / (2.0 * np.pi * r2)
    dth2 = x1 / (2.0 * np.pi * r2)
    g = np.array([
        200.0 * a * (-10.0 * dth1) + 200.0 * b * x1 / r,
        200.0 * a * (-10.0 * dth2) + 200.0 * b * x2 / r,
        200.0 * a + 2.0 * x3])
    return f, g


def brown_badly_scaled(x):
    x1, x2 = x
    a, b, c = x1 - 1e6, x2 - 2e-6, x1 * x2 - 2.0
    return a * a + b * b + c * c, np.array([2.0 * a + 2.0 * c * x2, 2.0 * b + 2.0 * c * x1])


def diagonal_quadratic_data(n):
    i = np.arange(n)
    a = 1.0 + (i % 100)
    c = np.where(i % 4 == 0, 2.0, np.where(i % 4 == 2, -3.0, ((i % 7) - 3) / 4.0))
    return a, c


def make_diagonal_quadratic(n):
    a, c = diagonal_quadratic_data(n)

    def fun(x):
        r = x - c
        return 0.5 * np.sum(a * r * r), a * r
    return fun


def tridiagonal_quadratic_data(n):
    i = np.arange(n)
    return 2.5, -1.0, ((i % 9) - 4) * 0.15  # diagonal, off-diagonal, b


def make_tridiagonal_quadratic(n):
    diag, off, b = tridiagonal_quadratic_data(n)

    def fun(x):
        ax = diag * x
        ax[1:] += off * x[:-1]
        ax[:-1] += off * x[1:]
        return 0.5 * np.dot(x, ax) - np.dot(b, x), ax - b
    return fun


def attack_like_data(n=784, classes=10):
    k = np.arange(classes)[:, None]
    j = np.arange(n)[None, :]
    w = (((7 * k + 13 * j) % 29) - 14) / 56.0
    b = (np.arange(classes) % 3 - 1) * 0.5
    x0 = ((np.arange(n) * 37) % 101) / 100.0
    return w, b, x0, 3, 0.05  # weights, biases, image, target class, c


def attack_like(x):
    """Box-constrained adversarial-attack shape: c·|x − x0|² + cross-entropy(softmax(Wx + b), target)."""
    w, b, x0, target, c = attack_like_data(x.size)
    z = w @ x + b
    z = z - z.max()
    e = np.exp(z)
    s = e.sum()
    p = e / s
    f = c * np.sum((x - x0) ** 2) + (np.log(s) - z[target])
    p[target] -= 1.0
    return f, 2.0 * c * (x - x0) + w.T @ p


def _tile(pattern, n):
    return np.array([pattern[i % len(pattern)] for i in range(n)], dtype=float)


def problems():
    """(name, fun, x0, lower, upper); lower/upper None for unconstrained."""
    p = []
    p.append(("rosenbrock_2", rosenbrock, np.array([-1.2, 1.0]), None, None))
    p.append(("rosenbrock_2_box", rosenbrock, np.array([-1.2, 1.0]), np.array([-2.0, -2.0]), np.array([0.5, 2.0])))
    p.append(("rosenbrock_100", rosenbrock, _tile([-1.2, 1.0], 100), None, None))
    p.append(("rosenbrock_1000_box", rosenbrock, _tile([-1.2, 1.0], 1000), np.full(1000, -2.0), _tile([0.8, 2.0], 1000)))
    p.append(("rosenbrock_10000", rosenbrock, _tile([-1.2, 1.0], 10000), None, None))
    p.append(("powell_4", powell, np.array([3.0, -1.0, 0.0, 1.0]), None, None))
    p.append(("powell_100_box", powell, _tile([3.0, -1.0, 0.0, 1.0], 100),
              _tile([0.1, -INF, -INF, -INF], 100), _tile([INF, -0.1, INF, INF], 100)))
    p.append(("beale", beale, np.array([1.0, 1.0]), None, None))
    p.append(("beale_box", beale, np.array([1.0, 1.0]), np.array([-4.5, -4.5]), np.array([4.5, 0.4])))
    p.append(("wood", wood, np.array([-3.0, -1.0, -3.0, -1.0]), None, None))
    p.append(("wood_box", wood, np.array([-3.0, -1.0, -3.0, -1.0]), np.zeros(4), np.array([0.9, 10.0, 0.9, 10.0])))
    p.append(("trigonometric_10", trigonometric, np.full(10, 0.1), None, None))
    p.append(("trigonometric_100_box", trigonometric, np.full(100, 0.01), np.full(100, 0.0056), np.full(100, 1.0)))
    p.append(("helical_valley", helical_valley, np.array([-1.0, 0.0, 0.0]), None, None))
    p.append(("helical_valley_box", helical_valley, np.array([-1.0, 0.0, 0.0]), np.array([-10.0, -10.0, 0.1]),
              np.array([10.0, 10.0, 10.0])))
    p.append(("brown_badly_scaled", brown_badly_scaled, np.array([1.0, 1.0]), None, None))
    p.append(("quadratic_diagonal_10000_box", make_diagonal_quadratic(10000), np.zeros(10000),
              np.full(10000, -1.0), np.full(10000, 1.0)))
    p.append(("quadratic_tridiagonal_200_box", make_tridiagonal_quadratic(200), np.zeros(200),
              np.full(200, -0.3), np.full(200, 0.3)))
    p.append(("attack_like_784_box", attack_like, attack_like_data()[2].copy(), np.zeros(784), np.ones(784)))
    return p
