"""Synthetic multi-tenant SaaS back end for benchmarking tenantlint (see benchmarks/README.md)."""

from .common import GeneratedFile, PlantedBug
from .project import generate, manifest, write, write_manifest

__all__ = ["GeneratedFile", "PlantedBug", "generate", "manifest", "write", "write_manifest"]
