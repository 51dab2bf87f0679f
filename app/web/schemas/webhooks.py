from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field


class WebhookEndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl
    events: list[Literal["invoice.trigger", "invoice.credit"]] = Field(min_length=1)
    description: str = Field(default="", max_length=500)


class WebhookEndpointOut(BaseModel):
    id: uuid.UUID
    url: str
    events: list[str]
    secret: str = Field(description="The signing secret, shown only in this answer")
