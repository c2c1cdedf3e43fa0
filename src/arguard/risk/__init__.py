"""Buyer risk grading: financial statements, 64 ratios, PD models, master scale, grades with reasons."""
