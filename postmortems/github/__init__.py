"""Everything that talks to GitHub: the webhook intake, what its events mean, and the REST client.

This package is the only importer of PyGithub (see `client.py`).
"""
