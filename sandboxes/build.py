"""`harness sandbox build`: the docker images, made offline from Debian packages.

rootfs (debootstrap --variant=minbase bookworm from the mirror apt uses here, `docker import`)
-> base (images/Dockerfile.base: python3, user `runner`) -> one image per language group
(images/Dockerfile.debian with the group's Debian packages from languages.py). Julia and Swift
have no Debian package: their images start from the official registry images (Dockerfile.julia,
Dockerfile.swift) and are only built where a registry is reachable.
Images carry a label with the hash of their recipe; an up-to-date image is not rebuilt.
"""

from __future__ import annotations

import glob
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness.errors import HarnessError

from .languages import LANGUAGES, parse_languages

IMAGES_DIR = Path(__file__).resolve().parent / "images"
ROOTFS_IMAGE = "harness-sbx-rootfs:bookworm"
BASE_IMAGE = "harness-sbx-base:bookworm"
RECIPE_LABEL = "org.harness.sandbox.recipe"
GO_WARMUP = Path(__file__).resolve().parent / "helpers" / "go_warmup_test.go"
# Run as root after the group's packages are installed (read-only to the programs later).
POST = {
    "cxx": ("H=$(echo '#include <bits/stdc++.h>' | g++ -std=c++17 -x c++ -E -H - 2>&1 >/dev/null"
            " | head -1 | cut -d' ' -f2) && mkdir -p /opt/pch/bits"
            " && g++ -std=c++17 -x c++-header $H -o /opt/pch/bits/stdc++.h.gch"
            " && ln -s $H /opt/pch/bits/stdc++.h"),
    "go": ("mkdir -p /tmp/w && cd /tmp/w && printf '%s' \"$GO_WARMUP\" > w_test.go"
           " && GOCACHE=/opt/gocache-seed GOPATH=/tmp/gp GOFLAGS=-count=1 CGO_ENABLED=0"
           " go test w_test.go && rm -rf /tmp/w /tmp/gp && chmod -R a+rX /opt/gocache-seed"),
}


def image_for(language: str) -> str:
    return group_image(LANGUAGES[language].image)


def group_image(group: str) -> str:
    return BASE_IMAGE if group == "base" else f"harness-sbx-{group}:bookworm"


def group_packages(group: str) -> list[str]:
    """Every Debian package of every language in the group (the image serves them all)."""
    packages: list[str] = []
    for spec in LANGUAGES.values():
        if spec.image == group:
            packages += [p for p in spec.debian_packages if p not in packages]
    return packages


def debian_mirror() -> str:
    """The Debian mirror apt uses on this machine (sources.list or deb822 .sources)."""
    texts = [Path(p).read_text() for p in ["/etc/apt/sources.list",
             *glob.glob("/etc/apt/sources.list.d/*")] if Path(p).is_file()]
    for text in texts:
        for uri in re.findall(r"(?:^deb\s+(?:\[[^\]]*\]\s+)?|^URIs:\s*)(\S+)", text, re.M):
            if uri.rstrip("/").endswith("/debian"):
                return uri.rstrip("/")
    return "http://deb.debian.org/debian"


def _recipe(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _client():
    from .docker import docker_client
    return docker_client()


def _current(client, tag: str, recipe: str) -> bool:
    import docker
    try:
        return client.images.get(tag).labels.get(RECIPE_LABEL) == recipe
    except docker.errors.ImageNotFound:
        return False


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_rootfs(client, mirror: str) -> None:
    import docker
    try:
        client.images.get(ROOTFS_IMAGE)
        return
    except docker.errors.ImageNotFound:
        pass
    if not shutil.which("debootstrap"):
        raise HarnessError("debootstrap is not installed", "apt-get install debootstrap (as root)")
    with tempfile.TemporaryDirectory(prefix="harness-rootfs-", dir="/var/tmp") as root:
        _log(f"debootstrap bookworm from {mirror} ...")
        subprocess.run(["debootstrap", "--variant=minbase", "bookworm", root, mirror], check=True,
                       stdout=subprocess.DEVNULL)
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        client.api.import_image_from_stream(tar.stdout, repository=ROOTFS_IMAGE.split(":")[0],
                                            tag="bookworm")
        tar.wait()


def _build(client, dockerfile: str, tag: str, buildargs: dict[str, str]) -> None:
    recipe = _recipe((IMAGES_DIR / dockerfile).read_text(), repr(sorted(buildargs.items())))
    if _current(client, tag, recipe):
        _log(f"{tag}: up to date")
        return
    start = time.monotonic()
    _log(f"{tag}: building ...")
    try:
        client.images.build(path=str(IMAGES_DIR), dockerfile=dockerfile, tag=tag, rm=True,
                            forcerm=True, buildargs=buildargs, labels={RECIPE_LABEL: recipe})
    except Exception as exc:  # docker.errors.BuildError carries the log
        log = "".join(chunk.get("stream", "") for chunk in getattr(exc, "build_log", []) or [])
        raise HarnessError(f"building {tag} failed: {exc}", log.strip()[-300:] or "see docker logs")
    _log(f"{tag}: built in {time.monotonic() - start:.0f} s")


def build_images(languages: list[str] | None = None, parallel: int = 2) -> list[str]:
    """Build what these languages need (None: all 19, so the lines about Julia and Swift are
    printed too); returns the tags built or found up to date."""
    languages = list(LANGUAGES) if languages is None else languages
    client = _client()
    mirror = debian_mirror()
    official = sorted({l for l in languages if LANGUAGES[l].official_image})
    for language in official:
        spec = LANGUAGES[language]
        _log(f"{language}: cannot be built here (no Debian package; needs the official image "
             f"'{spec.official_image}' from a registry). On a machine with registry access run: "
             f"docker build -f sandboxes/images/Dockerfile.{spec.image} -t {group_image(spec.image)} "
             f"sandboxes/images")
    build_rootfs(client, mirror)
    security = mirror.rsplit("/", 1)[0] + "/debian-security"
    _build(client, "Dockerfile.base", BASE_IMAGE, {"ROOTFS": ROOTFS_IMAGE, "MIRROR": mirror,
                                                    "SECURITY": security})
    # biggest first; two builds at a time overlap one's downloads with the other's unpacking
    groups = sorted({LANGUAGES[l].image for l in languages if not LANGUAGES[l].official_image}
                    - {"base"}, key=lambda g: (g not in ("rust", "jvm"), g))

    def build_group(group: str) -> str:
        args = {"BASE": BASE_IMAGE, "PACKAGES": " ".join(group_packages(group)),
                "POST": POST.get(group, "true")}
        if group == "go":
            args["GO_WARMUP"] = GO_WARMUP.read_text()
        _build(client, "Dockerfile.debian", group_image(group), args)
        return group_image(group)

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return [BASE_IMAGE, *pool.map(build_group, groups)]


def main(argv: list[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m sandboxes.build", description=__doc__)
    parser.add_argument("--languages", help="comma-separated keys (default: all Debian ones)")
    parser.add_argument("--parallel", type=int, default=2, help="image builds at a time")
    args = parser.parse_args(argv)
    try:
        tags = build_images(parse_languages(args.languages) if args.languages else None,
                            parallel=args.parallel)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("images ready: " + ", ".join(tags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
