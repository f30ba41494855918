"""Baryon's template core: everything about an AWS Proton *template bundle* that needs no server.

A bundle (:class:`Bundle`, from :func:`read_tarball` or :func:`bundle_from_files`) is checked at
registration (:func:`check_bundle`), a new minor version's schema is compared with its major's
(:func:`incompatibilities`), specs are validated with defaults applied (:func:`validate_spec`), and the
infrastructure is rendered with Proton's Jinja namespaces and filters (:func:`render_environment`,
:func:`render_service_instance`, :func:`render_pipeline`).

Pure code: no network, no logging, no file access.
"""

from baryon.templates.bundle import Bundle, bundle_from_files, read_tarball
from baryon.templates.check import CheckedBundle, check_bundle
from baryon.templates.compat import incompatibilities
from baryon.templates.errors import BundleError, TemplateKind
from baryon.templates.manifest import Engine, Manifest
from baryon.templates.render import render_environment, render_pipeline, render_service_instance
from baryon.templates.samples import sample_inputs
from baryon.templates.schema import InputSchema, TemplateSchema, parse_schema
from baryon.templates.spec import InstanceSpec, ParsedSpec, validate_inputs, validate_spec

__all__ = [
    "Bundle",
    "BundleError",
    "CheckedBundle",
    "Engine",
    "InputSchema",
    "InstanceSpec",
    "Manifest",
    "ParsedSpec",
    "TemplateKind",
    "TemplateSchema",
    "bundle_from_files",
    "check_bundle",
    "incompatibilities",
    "parse_schema",
    "read_tarball",
    "render_environment",
    "render_pipeline",
    "render_service_instance",
    "sample_inputs",
    "validate_inputs",
    "validate_spec",
]
