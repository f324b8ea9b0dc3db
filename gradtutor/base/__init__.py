"""Layer 0, below everything: errors, number formatting, tolerances, limits, time bounds, safe
text.
"""
