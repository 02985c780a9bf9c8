#!/usr/bin/env bash
# render-nginx.sh > /etc/nginx/sites-available/genrelens: deploy/nginx.conf with this install's values.
#   NGINX_LISTEN (80)  NGINX_SERVER_NAME (_)  GENRELENS_BIND (127.0.0.1:8001)
#   GENRELENS_VAR_DIR (./var; static files in its static/)  GENRELENS_UPLOAD_MAX_BYTES (52428800)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
var_dir=$(realpath -m "${GENRELENS_VAR_DIR:-$here/../var}")
sed -e "s|@@LISTEN@@|${NGINX_LISTEN:-80}|g" \
    -e "s|@@SERVER_NAME@@|${NGINX_SERVER_NAME:-_}|g" \
    -e "s|@@UPSTREAM@@|${GENRELENS_BIND:-127.0.0.1:8001}|g" \
    -e "s|@@STATIC_ROOT@@|$var_dir/static|g" \
    -e "s|@@MAX_BODY@@|${GENRELENS_UPLOAD_MAX_BYTES:-52428800}|g" \
    "$here/nginx.conf"
