"""Independent numeric oracles for the bundled exercises.

This module deliberately does NOT import gradtutor. Every forward value and every gradient of
every bundled graph exercise is worked out by hand here, in plain numpy, with each backward
formula written out explicitly (local derivative times upstream gradient, X^T G, G W^T, sums
over the batch, a(1 - a), softmax's a - y, ...), so that the package's graph engine can be
tested against something that shares none of its code.

Public names:

- ``GIVEN``: exercise id -> the given input values (the same numbers as in exercises/*.yaml).
- ``ORACLES``: exercise id -> step name -> value (float or numpy array). Steps are named as
  in the exercise files: a node or input name is its forward value, ``dA/dB`` the derivative
  of A with respect to B through the whole graph (shape of B).
- ``NOTES_VALUES``: the numbers the course notes (../shared/seeds/*.txt) print and that a
  checker would accept (SPEC tolerance: rel 1%, abs 1e-4, or the true value rounded to the
  decimals written), at the precision the notes print them.
- ``NOTES_MAGNITUDES``: numbers the notes print without their sign (compare |value|).
- ``NOTES_SLIPS``: numbers the notes print that are NOT acceptable: the students' own slips,
  which the sample answers files reuse and the checker must catch.
- ``REFERENCE_VALUES``: well-known worked values the notes follow but that are not legible in
  the OCR'd notes themselves (the CS231n sigmoid-neuron example).
"""

from __future__ import annotations

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _f(x) -> float:
    return float(x)


def _a(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


GIVEN: dict[str, dict] = {
    "add-mul-gate": {"x": -2.0, "y": 5.0, "z": -4.0},
    "x-plus-yz": {"x": -2.0, "y": 5.0, "z": -4.0},
    "max-gate": {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0},
    "sigmoid-neuron": {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0},
    "score-bias": {
        "W": [[0.5, -0.2, 0.1], [-0.3, 0.4, 0.2]],
        "x": [1.0, 2.0, 3.0],
        "b": [0.1, -0.3],
        "u": [2.0, -1.0],
    },
    "vectorized-norm": {"W": [[0.1, 0.5], [-0.3, 0.8]], "x": [0.2, 0.4]},
    "vanishing-sigmoid-chain": {"x": 1.0, "y": 1.0, "w1": 0.5, "w2": 0.5, "w3": 0.5},
    "exploding-relu-chain": {"x": 1.0, "y": 1.0, "w1": 5.0, "w2": 5.0, "w3": 5.0},
    "linear-layer": {
        "X": [[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]],
        "W": [[0.5, -1.0], [1.5, 0.2]],
        "b": [0.1, -0.2],
        "G": [[0.1, -0.2], [0.3, -0.1], [0.2, 0.0]],
        "lr": 0.1,
    },
    "mlp-mse": {
        "X": [[0.5, -1.0], [1.5, 2.0], [-0.5, 0.5], [1.0, 0.0]],
        "Y": [[1.0], [0.0], [0.5], [1.0]],
        "W1": [[0.1, -0.2, 0.4], [0.3, 0.4, -0.1]],
        "b1": [0.0, 0.1, -0.1],
        "W2": [[0.5], [-0.6], [0.3]],
        "b2": [0.2],
    },
    "softmax": {"z": [2.0, 1.0, 0.1], "y": [1.0, 0.0, 0.0]},
}


# ---------------------------------------------------------------------------------------
# scalar circuits


def add_mul_gate() -> dict:
    g = GIVEN["add-mul-gate"]
    x, y, z = g["x"], g["y"], g["z"]
    q = x + y
    f = q * z
    df_df = 1.0
    df_dq = z * df_df  # mul gate: the other input's value times upstream
    df_dz = q * df_df
    dq_dx = 1.0  # add gate: local derivative 1
    dq_dy = 1.0
    df_dx = dq_dx * df_dq  # add gate distributes the upstream gradient
    df_dy = dq_dy * df_dq
    return {"x": x, "y": y, "z": z, "q": q, "f": f,
            "df/dq": df_dq, "df/dz": df_dz, "dq/dx": dq_dx, "dq/dy": dq_dy,
            "df/dx": df_dx, "df/dy": df_dy}


def x_plus_yz() -> dict:
    g = GIVEN["x-plus-yz"]
    x, y, z = g["x"], g["y"], g["z"]
    gg = y * z
    f = gg + x
    df_dg = 1.0  # add gate
    dg_dy = z  # local derivatives of the product
    dg_dz = y
    df_dy = dg_dy * df_dg
    df_dz = dg_dz * df_dg
    df_dx = 1.0  # x reaches f directly through the add gate; it does not feed g at all
    return {"x": x, "y": y, "z": z, "g": gg, "f": f,
            "df/dg": df_dg, "dg/dy": dg_dy, "dg/dz": dg_dz,
            "df/dx": df_dx, "df/dy": df_dy, "df/dz": df_dz}


def max_gate() -> dict:
    g = GIVEN["max-gate"]
    x, y, z, w = g["x"], g["y"], g["z"], g["w"]
    f1 = x * y
    f2 = max(z, w)
    f3 = f1 + f2
    f4 = 2.0 * f3
    df4_df3 = 2.0
    df4_df1 = 1.0 * df4_df3  # add gate
    df4_df2 = 1.0 * df4_df3
    z_wins = z >= w  # ties route to the first argument
    df4_dz = (1.0 if z_wins else 0.0) * df4_df2  # max gate routes
    df4_dw = (0.0 if z_wins else 1.0) * df4_df2
    df4_dx = y * df4_df1  # mul gate switches
    df4_dy = x * df4_df1
    return {"f1": f1, "f2": f2, "f3": f3, "f4": f4,
            "df1/dx": y, "df1/dy": x,
            "df4/df3": df4_df3, "df4/df1": df4_df1, "df4/df2": df4_df2,
            "df4/dx": df4_dx, "df4/dy": df4_dy, "df4/dz": df4_dz, "df4/dw": df4_dw}


def sigmoid_neuron() -> dict:
    g = GIVEN["sigmoid-neuron"]
    w0, x0, w1, x1, w2 = g["w0"], g["x0"], g["w1"], g["x1"], g["w2"]
    f1 = w0 * x0
    f2 = w1 * x1
    f3 = f1 + f2
    f4 = f3 + w2
    f5 = -f4
    f6 = float(np.exp(f5))
    f7 = 1.0 + f6
    f8 = 1.0 / f7
    d8 = 1.0
    d7 = (-1.0 / f7**2) * d8  # d(1/u)/du = -1/u^2
    d6 = 1.0 * d7  # 1 + f6
    d5 = f6 * d6  # d exp(u)/du = exp(u)
    d4 = -1.0 * d5  # negation
    d3 = 1.0 * d4  # add gate
    dw2 = 1.0 * d4
    d1 = 1.0 * d3
    d2 = 1.0 * d3
    dw0 = x0 * d1  # mul gate
    dx0 = w0 * d1
    dw1 = x1 * d2
    dx1 = w1 * d2
    return {"f1": f1, "f2": f2, "f3": f3, "f4": f4, "f5": f5, "f6": f6, "f7": f7, "f8": f8,
            "df8/df7": d7, "df8/df6": d6, "df8/df5": d5, "df8/df4": d4, "df8/df3": d3,
            "df8/df2": d2, "df8/df1": d1,
            "df8/dw0": dw0, "df8/dx0": dx0, "df8/dw1": dw1, "df8/dx1": dx1, "df8/dw2": dw2}


def vanishing_sigmoid_chain() -> dict:
    g = GIVEN["vanishing-sigmoid-chain"]
    x, y, w1, w2, w3 = g["x"], g["y"], g["w1"], g["w2"], g["w3"]
    z1 = w1 * x
    a1 = _f(sigmoid(z1))
    z2 = w2 * a1
    a2 = _f(sigmoid(z2))
    z3 = w3 * a2
    a3 = _f(sigmoid(z3))
    L = 0.5 * (a3 - y) ** 2
    dL_da3 = a3 - y  # d/da3 of 0.5 (a3 - y)^2
    dL_dz3 = a3 * (1.0 - a3) * dL_da3  # sigmoid'(z3) = a3 (1 - a3)
    dL_dw3 = a2 * dL_dz3  # z3 = w3 * a2
    dL_da2 = w3 * dL_dz3
    dL_dz2 = a2 * (1.0 - a2) * dL_da2
    dL_dw2 = a1 * dL_dz2
    dL_da1 = w2 * dL_dz2
    dL_dz1 = a1 * (1.0 - a1) * dL_da1
    dL_dw1 = x * dL_dz1
    dL_dx = w1 * dL_dz1
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "z3": z3, "a3": a3, "L": L,
            "dL/da3": dL_da3, "dL/dz3": dL_dz3, "dL/da2": dL_da2, "dL/dz2": dL_dz2,
            "dL/da1": dL_da1, "dL/dz1": dL_dz1,
            "dL/dw3": dL_dw3, "dL/dw2": dL_dw2, "dL/dw1": dL_dw1, "dL/dx": dL_dx}


def exploding_relu_chain() -> dict:
    g = GIVEN["exploding-relu-chain"]
    x, y, w1, w2, w3 = g["x"], g["y"], g["w1"], g["w2"], g["w3"]
    f1 = x * w1
    f2 = max(f1, 0.0)
    f3 = w2 * f2
    f4 = max(f3, 0.0)
    f5 = w3 * f4
    f6 = max(f5, 0.0)
    f7 = f6 - y
    f8 = f7**2
    f9 = 0.5 * f8

    def relu_prime(u: float) -> float:  # relu'(0) = 0 by convention
        return 1.0 if u > 0 else 0.0

    d9 = 1.0
    d8 = 0.5 * d9
    d7 = 2.0 * f7 * d8
    d6 = 1.0 * d7  # f7 = f6 - y
    d5 = relu_prime(f5) * d6
    d4 = w3 * d5
    dw3 = f4 * d5
    d3 = relu_prime(f3) * d4
    d2 = w2 * d3
    dw2 = f2 * d3
    d1 = relu_prime(f1) * d2
    dx = w1 * d1
    dw1 = x * d1
    return {"f1": f1, "f2": f2, "f3": f3, "f4": f4, "f5": f5, "f6": f6, "f7": f7,
            "f8": f8, "f9": f9,
            "df9/df8": d8, "df9/df7": d7, "df9/df6": d6, "df9/df5": d5, "df9/df4": d4,
            "df9/df3": d3, "df9/df2": d2, "df9/df1": d1,
            "df9/dx": dx, "df9/dw1": dw1, "df9/dw2": dw2, "df9/dw3": dw3}


# ---------------------------------------------------------------------------------------
# vectors and matrices


def score_bias() -> dict:
    g = GIVEN["score-bias"]
    W, x, b, u = _a(g["W"]), _a(g["x"]), _a(g["b"]), _a(g["u"])
    # forward, entry by entry
    z = np.array([sum(W[i, j] * x[j] for j in range(3)) + b[i] for i in range(2)])
    h = sigmoid(z)
    s = float(sum(u[i] * h[i] for i in range(2)))
    # backward
    ds_dh = u.copy()  # s = u . h
    fprime = h * (1.0 - h)  # sigmoid'(z) = h (1 - h), elementwise (diag Jacobian)
    delta = ds_dh * fprime  # ds/dz = u^T diag(f'(z)) = u * f'(z)
    ds_db = delta * 1.0  # dz/db = I
    ds_dW = np.array([[delta[i] * x[j] for j in range(3)] for i in range(2)])  # delta x^T
    ds_dx = np.array([sum(W[i, j] * delta[i] for i in range(2)) for j in range(3)])  # W^T delta
    ds_du = h.copy()
    return {"z": z, "h": h, "s": s, "ds/dh": ds_dh, "ds/dz": delta, "ds/db": ds_db,
            "ds/dW": ds_dW, "ds/dx": ds_dx, "ds/du": ds_du}


def vectorized_norm() -> dict:
    g = GIVEN["vectorized-norm"]
    W, x = _a(g["W"]), _a(g["x"])
    q = np.array([W[0, 0] * x[0] + W[0, 1] * x[1], W[1, 0] * x[0] + W[1, 1] * x[1]])
    f = float(q[0] ** 2 + q[1] ** 2)
    df_dq = 2.0 * q
    # df/dW_ij = sum_k (2 q_k) 1[k = i] x_j = 2 q_i x_j
    df_dW = np.array([[df_dq[i] * x[j] for j in range(2)] for i in range(2)])
    # df/dx_i = sum_k 2 q_k W_ki
    df_dx = np.array([sum(df_dq[k] * W[k, i] for k in range(2)) for i in range(2)])
    return {"q": q, "f": f, "df/dq": df_dq, "df/dW": df_dW, "df/dx": df_dx}


def linear_layer() -> dict:
    g = GIVEN["linear-layer"]
    X, W, b, G = _a(g["X"]), _a(g["W"]), _a(g["b"]), _a(g["G"])
    m, n = X.shape
    k = W.shape[1]
    Y = np.array([[sum(X[r, i] * W[i, j] for i in range(n)) + b[j] for j in range(k)]
                  for r in range(m)])
    L = float((G * Y).sum())
    dL_dY = G.copy()  # L = sum(G * Y): the upstream gradient handed to the layer
    dL_dW = np.array([[sum(X[r, i] * G[r, j] for r in range(m)) for j in range(k)]
                      for i in range(n)])  # X^T G
    dL_db = np.array([sum(G[r, j] for r in range(m)) for j in range(k)])  # sum over the batch
    dL_dX = np.array([[sum(G[r, j] * W[i, j] for j in range(k)) for i in range(n)]
                      for r in range(m)])  # G W^T
    lr = g["lr"]
    new_W = np.array([[W[i, j] - lr * dL_dW[i, j] for j in range(k)] for i in range(n)])
    new_b = np.array([b[j] - lr * dL_db[j] for j in range(k)])  # the notes' SGD update
    return {"Y": Y, "L": L, "dL/dY": dL_dY, "dL/dW": dL_dW, "dL/db": dL_db, "dL/dX": dL_dX,
            "W - lr*dL/dW": new_W, "b - lr*dL/db": new_b}


def mlp_mse() -> dict:
    g = GIVEN["mlp-mse"]
    X, Y = _a(g["X"]), _a(g["Y"])
    W1, b1, W2, b2 = _a(g["W1"]), _a(g["b1"]), _a(g["W2"]), _a(g["b2"])
    m = X.shape[0]
    z1 = X @ W1 + b1  # (m, 3), one sample per row
    a1 = sigmoid(z1)
    z2 = a1 @ W2 + b2  # (m, 1)
    a2 = z2.copy()  # identity output unit
    L = float(0.5 / m * sum((a2[i, 0] - Y[i, 0]) ** 2 for i in range(m)))  # 1/m 1/2 sum
    dL_da2 = (a2 - Y) / m  # the 1/m of the mean
    dL_dz2 = dL_da2 * 1.0  # identity
    dL_dW2 = a1.T @ dL_dz2  # (3, 1)
    dL_db2 = dL_dz2.sum(axis=0)  # (1,): sum over the batch
    dL_da1 = dL_dz2 @ W2.T  # (m, 3)
    dL_dz1 = dL_da1 * a1 * (1.0 - a1)
    dL_dW1 = X.T @ dL_dz1  # (2, 3)
    dL_db1 = dL_dz1.sum(axis=0)  # (3,)
    dL_dX = dL_dz1 @ W1.T
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "L": L,
            "dL/da2": dL_da2, "dL/dz2": dL_dz2, "dL/dW2": dL_dW2, "dL/db2": dL_db2,
            "dL/da1": dL_da1, "dL/dz1": dL_dz1, "dL/dW1": dL_dW1, "dL/db1": dL_db1,
            "dL/dX": dL_dX}


def softmax() -> dict:
    g = GIVEN["softmax"]
    z, y = _a(g["z"]), _a(g["y"])
    e = np.exp(z - z.max())
    a = e / e.sum()
    L = float(-sum(y[i] * np.log(a[i]) for i in range(3)))
    dL_da = -y / a  # d/da of -sum y log a
    # Jacobian of softmax: da_i/dz_j = a_i (1[i=j] - a_j)
    J = np.array([[a[i] * ((1.0 if i == j else 0.0) - a[j]) for j in range(3)] for i in range(3)])
    dL_dz_chain = J.T @ dL_da
    dL_dz = a - y  # the famous shortcut (y one-hot, sums to 1)
    assert np.allclose(dL_dz_chain, dL_dz)
    return {"a": a, "L": L, "dL/da": dL_da, "dL/dz": dL_dz}


ORACLES: dict[str, dict] = {
    "add-mul-gate": add_mul_gate(),
    "x-plus-yz": x_plus_yz(),
    "max-gate": max_gate(),
    "sigmoid-neuron": sigmoid_neuron(),
    "score-bias": score_bias(),
    "vectorized-norm": vectorized_norm(),
    "vanishing-sigmoid-chain": vanishing_sigmoid_chain(),
    "exploding-relu-chain": exploding_relu_chain(),
    "linear-layer": linear_layer(),
    "mlp-mse": mlp_mse(),
    "softmax": softmax(),
}


# ---------------------------------------------------------------------------------------
# what the notes print

# Numbers printed in the notes that a checker accepts. Source in the comment.
NOTES_VALUES: dict[str, dict] = {
    # 001 "(x+y)z": df/dx = df/dq . dq/dx = -4 x 1 = -4, same for y; dq/dx = dq/dy = 1
    "add-mul-gate": {"df/dq": -4, "dq/dx": 1, "dq/dy": 1, "df/dx": -4, "df/dy": -4},
    # 002 "29/07/25 f = x + yz": (1) df/dx = 1; dg/dy = z => -4, dg/dz = y => 5; df/dg = 1;
    # df/dy = (-4), df/dz = 5
    "x-plus-yz": {"df/dx": 1, "df/dg": 1, "dg/dy": -4, "dg/dz": 5, "df/dy": -4, "df/dz": 5},
    # 002: df1/dx = y, df1/dy = x => 3; df4/df3 = 1 x 2; df4/df2 = 2; df4/dx = -4 x 2 = -8;
    # df4/dy = 3 x 2 = 6
    "max-gate": {"df1/dy": 3, "df4/df3": 2, "df4/df2": 2, "df4/df1": 2,
                 "df4/dx": -8, "df4/dy": 6},
    # 002: f3 = 4, f4 = w2 + f3, f5 = -1; f7 = 1 + 0.36 = 1.36 and f8 = 1/1.36 = 0.735 (both
    # within 1% although built on the slip e^-1 = 0.36); df8/df5 = -0.54 x 0.36 = -0.198
    # (written; -0.1944 is what the product gives, -0.1966 is right: within 1%)
    "sigmoid-neuron": {"f3": 4, "f4": 1, "f5": -1, "f7": 1.36, "f8": 0.735,
                       "df8/df5": -0.198},
    # 001 vectorized example
    "vectorized-norm": {"q": [0.22, 0.26], "f": 0.116, "df/dq": [0.44, 0.52],
                        "df/dx": [-0.112, 0.636]},
    # 002 "For Vanishing Use: Sigmoid", the Layer 1/2/3 version
    "vanishing-sigmoid-chain": {"z1": 0.5, "a1": 0.622, "z2": 0.311, "a2": 0.577,
                                "z3": 0.2885, "a3": 0.572, "L": 0.092,
                                "dL/da3": -0.428, "dL/dz3": -0.104},
    # 002 "Exploding Gradient, taking the weights as 5"
    "exploding-relu-chain": {"f1": 5, "f2": 5, "f3": 25.0, "f4": 25, "f5": 125, "f6": 125,
                             "f7": 124, "f8": 15376, "f9": 7688,
                             "df9/df8": 0.5, "df9/df7": 124, "df9/df6": 124, "df9/df5": 124,
                             "df9/df4": 620, "df9/df3": 620, "df9/df2": 3100, "df9/df1": 3100,
                             "df9/dx": 15500},
    # 004: np.sum(grad_output, axis=0) = [0.1+0.3+0.2, -0.2+(-0.1)+0.0]; "y = [1.0 2.0].[0.5
    # -1.0] + [0.1] = [36 -0.8]" read as the first row of Y = [3.6, -0.8] (our
    # reconstruction of W and b, see GIVEN); "Y[0]" means row 0.
    "linear-layer": {"dL/db": [0.6, -0.3], "Y[0]": [3.6, -0.8]},
}

# The notes' second ("f1..f9") pass through the vanishing chain prints the backward values
# without their sign (it used |a3 - y| = 0.428): df9/df6 = 0.428, df9/df5 = 0.105 (= dL/dz3),
# df9/df4 = 0.0525 (= dL/da2), df9/df3 = 0.01281 ~ 0.013 (= dL/dz2), df9/df2 = 0.0064
# (= dL/da1), df9/df1 = 0.00150 (= dL/dz1). Mapped onto our node names.
NOTES_MAGNITUDES: dict[str, dict] = {
    "vanishing-sigmoid-chain": {"dL/da3": 0.428, "dL/dz3": 0.105, "dL/da2": 0.0525,
                                "dL/dz2": 0.01281, "dL/da1": 0.0064, "dL/dz1": 0.00150},
}

# The students' own slips, as printed in the notes. Each is NOT acceptable against the oracle.
NOTES_SLIPS: dict[str, dict] = {
    # 002: "df/dy = df/dq . dq/dy = 2 . 1 = 2 => -4" (first wrote 2, then corrected)
    "add-mul-gate": {"df/dy": 2},
    # 002: df/dx = df/dg . dg/dx = 0 (followed only the path through g)
    "x-plus-yz": {"df/dx": 0},
    # 002: e^-1 = 0.36 (true 0.3679), then df8/df7 = -0.54, df8/df4 = 0.19, df8/dw1 = -0.38,
    # df8/dx1 = -3 x 0.19 = -0.57, df8/dx0 = 2 x 0.19 = 0.38
    "sigmoid-neuron": {"f6": 0.36, "df8/df7": -0.54, "df8/df4": 0.19, "df8/df3": 0.19,
                       "df8/dw1": -0.38, "df8/dx1": -0.57, "df8/dx0": 0.38},
    # 001: "[[0.088, 0.104], [0.176, 0.208]] = W" is (2 q x^T)^T; and 2q first written as
    # [0.44, 0.56]
    "vectorized-norm": {"df/dW": [[0.088, 0.104], [0.176, 0.208]], "df/dq": [0.44, 0.56]},
    # 002: z3(1 - z3) = 0.2885 (1 - 0.2885) => 0.205 used for sigma'(z3), then
    # "dL/dz3 => (-0.428)(0.205) => -0.09"; redone with a3(1 - a3) = 0.244 => -0.104 in the
    # notes. The first f1..f9 pass prints df9/df5 = 0.045 (true |dL/dz3| = 0.1049).
    "vanishing-sigmoid-chain": {"dL/dz3": -0.09},
    # 004: "[[0.6, 0.3]]": the minus sign of -0.3 lost
    "linear-layer": {"dL/db": [0.6, 0.3]},
}

# Worked values that the notes follow but that are not legible in the OCR'd notes:
# the CS231n lecture 4 sigmoid-neuron example (same inputs as the SPEC's example).
REFERENCE_VALUES: dict[str, dict] = {
    "sigmoid-neuron": {"f8": 0.73, "df8/df7": -0.53, "df8/df6": -0.53, "df8/df5": -0.197,
                       "df8/df4": 0.197, "df8/dw0": -0.197, "df8/dx0": 0.393,
                       "df8/dw1": -0.393, "df8/dx1": -0.590, "df8/dw2": 0.197},
}


def as_array(value) -> np.ndarray:
    return np.asarray(value, dtype=float)


if __name__ == "__main__":  # print every oracle value, for authors
    np.set_printoptions(precision=6, suppress=True)
    for exercise, steps in ORACLES.items():
        print(f"== {exercise}")
        for step, value in steps.items():
            print(f"  {step}: {np.round(as_array(value), 6).tolist()}")
