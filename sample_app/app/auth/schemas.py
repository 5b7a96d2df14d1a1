"""What the auth API reads and writes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.schemas import RequestModel


class TokenPair(BaseModel):
    """The OAuth2 token response, with the rotating refresh token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjZmIn0.c2ln",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": "Jr6m1Yw0vQ0yXb5cE3kT8uN2pL9sH4dA7fG1zC6xV0o",
                    "refresh_expires_in": 1209600,
                }
            ]
        }
    )

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str
    refresh_expires_in: int = Field(description="Seconds until the refresh token expires")


class RefreshRequest(RequestModel):
    """A refresh token, to rotate or to revoke."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"refresh_token": "Jr6m1Yw0vQ0yXb5cE3kT8uN2pL9sH4dA7fG1zC6xV0o"}]
        },
    )

    refresh_token: str = Field(min_length=1, max_length=512)
