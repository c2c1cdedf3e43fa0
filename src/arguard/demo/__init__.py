"""The seeded demo company: `arguard demo` (see README.md)."""
