"""The sample app: an async FastAPI service that follows every fastapi-guardrails rule."""
