"""Imports every capability's table module (declared in the registry) so that metadata and Alembic
see them all."""

from arguard.platform import registry

registry.import_tables()
