"""Layer 5, marking one answers file: comparing, recomputing with the student's values,
diagnoses, formulas, the step verdicts.
"""
