"""Small shared value types below every app.

The bottom layer with ``background``: it imports no app (config, reports, mystery,
survey), so that every app may import it (the contracts in pyproject.toml).
"""
