"""Layer 1: one spec per operation of the language (forward, vector-Jacobian product, kink)."""
