"""HTTP shapes of API key administration."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.assembly.text import Line

Scope = Literal["documents:read", "documents:write", "documents:send", "webhooks:manage", "admin"]


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "user": "support@example.com",
                    "name": "Salesforce quote button",
                    "scopes": ["documents:read", "documents:write"],
                }
            ]
        },
    )

    user: EmailStr = Field(max_length=254, description="The user the key acts as")
    name: Line = Field(min_length=1, max_length=200, description="What the key is for")
    scopes: list[Scope] | None = Field(
        default=None, max_length=5, description="Leave out for every scope the user's role allows"
    )


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it")
    user: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None = Field(description="To the minute")
    revoked_at: datetime | None


class NewApiKeyOut(ApiKeyOut):
    key: str = Field(description="The key itself: shown only in this answer, stored as a hash")


class ApiKeysOut(BaseModel):
    keys: list[ApiKeyOut]
