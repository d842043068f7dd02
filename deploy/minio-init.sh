#!/bin/sh
# Creates the buckets and the nodes' least-privilege MinIO user (run once by
# docker compose as the minio-init service; safe to run again).
set -eu
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing local/phonghop
mc mb --ignore-existing --with-lock local/phonghop-archive
mc admin policy create local phonghop-node /minio-policy.json
mc admin user add local "$PHONGHOP_S3_ACCESS_KEY" "$PHONGHOP_S3_SECRET_KEY"
mc admin policy attach local phonghop-node --user "$PHONGHOP_S3_ACCESS_KEY" || true # already attached
echo "buckets and user ready"
