"""fastapi-guardrails: a libcst-based checker for async FastAPI + SQLAlchemy 2.0 + Pydantic v2."""

__version__ = "0.1.0"
