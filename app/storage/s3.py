"""Any S3-compatible store (AWS S3, MinIO, SeaweedFS, Ceph), with bucket versioning.

Each put sends its SHA-256 for the server to check, and returns the `VersionId` that the
database records; reads ask for that exact version and check the hash again. Signed
documents can be kept under Object Lock retention. botocore's errors stop here and leave
as our own (`BlobNotFound`, `StorageUnavailable`).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.storage.interfaces import BlobCorrupted, BlobNotFound, StorageUnavailable, StoredBlob

_MISSING = {"NoSuchKey", "NoSuchVersion", "404", "NotFound", "InvalidArgument"}


class S3BlobStorage:
    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        lock_days: int = 0,
        presign_seconds: int = 300,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.lock_days = lock_days
        self.presign_seconds = presign_seconds
        self.client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            config=Config(
                connect_timeout=3,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
                signature_version="s3v4",
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def _unavailable(self, action: str, exc: Exception) -> StorageUnavailable:
        return StorageUnavailable(
            f"object storage (bucket {self.bucket}) failed to {action}: {exc}"
        )

    def put(self, key: str, data: bytes, *, content_type: str, retain: bool = False) -> StoredBlob:
        digest = hashlib.sha256(data).digest()
        extra: dict[str, Any] = {}
        if retain and self.lock_days > 0:
            extra["ObjectLockMode"] = "COMPLIANCE"
            extra["ObjectLockRetainUntilDate"] = datetime.now(UTC) + timedelta(days=self.lock_days)
        try:
            answer = self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ChecksumSHA256=base64.b64encode(digest).decode(),
                **extra,
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(f"store {key}", exc) from exc
        version_id = answer.get("VersionId")
        if not version_id or version_id == "null":
            raise StorageUnavailable(
                f"bucket {self.bucket} returned no VersionId: enable versioning on it"
            )
        return StoredBlob(key=key, version_id=version_id, sha256=digest.hex(), size=len(data))

    def get(self, key: str, version_id: str, *, sha256: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, VersionId=version_id)
            data: bytes = answer["Body"].read()
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                raise BlobNotFound(f"no version {version_id} of {key} in storage") from exc
            raise self._unavailable(f"read {key}", exc) from exc
        except BotoCoreError as exc:
            raise self._unavailable(f"read {key}", exc) from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorrupted(f"{key} version {version_id} does not match its recorded sha256")
        return data

    def discard(self, blob: StoredBlob) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=blob.key, VersionId=blob.version_id)
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(f"discard {blob.key}", exc) from exc

    def versions(self, key: str) -> list[str]:
        try:
            answer = self.client.list_object_versions(Bucket=self.bucket, Prefix=key)
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(f"list {key}", exc) from exc
        # S3 lists the versions of a key newest first (LastModified has one-second grain).
        found = [v["VersionId"] for v in answer.get("Versions", []) if v["Key"] == key]
        return found[::-1]

    def presigned_url(self, key: str, version_id: str, *, filename: str) -> str:
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "VersionId": version_id,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
            ExpiresIn=self.presign_seconds,
        )
        return url

    def prepare_bucket(self) -> None:
        """Create the bucket when it is missing and turn its versioning on (for new installs)."""
        try:
            existing = {b["Name"] for b in self.client.list_buckets().get("Buckets", [])}
            if self.bucket not in existing:
                self.client.create_bucket(Bucket=self.bucket)
            self.client.put_bucket_versioning(
                Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"}
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable("be prepared", exc) from exc

    def check(self) -> None:
        try:
            status = self.client.get_bucket_versioning(Bucket=self.bucket).get("Status")
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable("answer", exc) from exc
        if status != "Enabled":
            raise StorageUnavailable(
                f"bucket {self.bucket} must have versioning enabled (it is "
                f"{status or 'off'}); e.g. `aws s3api put-bucket-versioning --bucket "
                f"{self.bucket} --versioning-configuration Status=Enabled`"
            )
