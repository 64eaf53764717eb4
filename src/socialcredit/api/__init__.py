"""HTTP API (FastAPI): ``create_app(settings)`` builds the application; the service layer decides who may do what."""

from socialcredit.api.app import create_app

__all__ = ["create_app"]
