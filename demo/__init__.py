"""The demo, composed above the apps: each app loads its own part (``survey.demo``,
``mystery.demo``, ``reports.demo``) and ``demo.loader`` calls them in order.

A tiny Django app (no models) so that its ``load_demo`` command is found: a command in an
app could not call the composition without importing the layer above it. This module
imports nothing, as Django imports it before the models are ready.
"""
