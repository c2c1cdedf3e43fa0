"""Command line (Typer + Rich)."""
