"""The S3-compatible media storage, with a public endpoint for the URLs browsers get.

In a compose stack the application reaches the bucket by its service name
(``http://minio:9000``), a name no browser on the host can resolve. ``public_endpoint_url``
(``AWS_S3_PUBLIC_ENDPOINT_URL``) is the address browsers use for the same server
(``http://localhost:9000``, or a public host name): presigned GET, PUT and multipart-part URLs
are signed for that host (S3 signatures cover the host name, so a URL cannot be rewritten
afterwards), while every call the application makes itself keeps ``endpoint_url``. Signing
makes no network call.
"""

from __future__ import annotations

from functools import cached_property

import boto3
from botocore.config import Config
from storages.backends.s3 import S3Storage as BaseS3Storage
from storages.utils import clean_name


class S3Storage(BaseS3Storage):
    def get_default_settings(self):
        return {**super().get_default_settings(), "public_endpoint_url": None}

    @cached_property
    def signing_client(self):
        """The client that signs URLs handed to browsers (the storage's own without a
        public endpoint)."""
        if not self.public_endpoint_url:
            return self.connection.meta.client
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.public_endpoint_url,
            region_name=self.region_name,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            aws_session_token=self.security_token,
            config=Config(
                signature_version=self.signature_version,
                s3={"addressing_style": self.addressing_style},
            ),
        )

    def url(self, name, parameters=None, expire=None, http_method=None):
        if not self.public_endpoint_url or self.custom_domain or not self.querystring_auth:
            return super().url(name, parameters, expire, http_method)
        key = self._normalize_name(clean_name(name))
        params = {**(parameters or {}), "Bucket": self.bucket_name, "Key": key}
        return self.signing_client.generate_presigned_url(
            "get_object",
            Params=params,
            ExpiresIn=self.querystring_expire if expire is None else expire,
            HttpMethod=http_method,
        )
