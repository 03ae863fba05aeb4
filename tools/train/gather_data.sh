#!/bin/sh
# Install the Debian packages whose English text forms the training corpus.
# Runs on a Debian 12 (bookworm) machine with apt; needs root (or sudo).
set -eu
PKGS="bible-kjv bible-kjv-text dict-gcide dict-jargon dict-devil dict-foldoc \
fortunes fortunes-min jargon-text perl-doc gnu-standards manpages manpages-dev \
python3.11-doc debian-reference-en man-db dictd"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PKGS
# record exact versions for the manifest
dpkg-query -W -f='${Package}\t${Version}\n' $PKGS > "${1:-/tmp}/package_versions.tsv"
echo "installed: $PKGS"
