# Swift has no Debian bookworm package: start from the official image (needs a registry).
#   docker build -f sandboxes/images/Dockerfile.swift -t harness-sbx-swift sandboxes/images
FROM swift:5.10
USER root
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* && useradd --uid 1000 --create-home runner \
 && mkdir -p /scratch /opt/harness && chown runner:runner /scratch
ENV LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
USER runner
WORKDIR /scratch
