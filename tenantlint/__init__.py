"""tenantlint: find tenant-leak bugs in multi-tenant Python back ends, statically."""

__version__ = "0.1.0"
