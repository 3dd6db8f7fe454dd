"""Generators: the MLE solver and the divergence derivations.

They only propose; the kernel checks.
"""
