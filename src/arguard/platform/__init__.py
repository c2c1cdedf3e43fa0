"""Platform: companies (tenants), users, roles, API keys and the hash-chained audit log."""
