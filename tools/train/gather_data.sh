#!/bin/sh
# Install the Debian packages whose English text forms the training corpus.
# Runs on a Debian 12 (bookworm) machine with apt; needs root (or sudo).
# Licences per source: tools/train/data_manifest.json (written by prepare_data.py).
set -eu
PKGS="bible-kjv bible-kjv-text sword-text-web diatheke dict-gcide dict-jargon dict-devil dict-foldoc dict-wn \
fortunes fortunes-min fortunes-bofh-excuses fortunes-debian-hints jargon-text perl-doc \
gnu-standards manpages manpages-dev python3.11-doc debian-reference-en debian-handbook sqlite3-doc \
vim-doc postgresql-doc-15 git-doc man-db dictd"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PKGS
# record exact versions for the manifest
dpkg-query -W -f='${Package}\t${Version}\n' $PKGS > "${1:-/tmp}/package_versions.tsv"
echo "installed: $PKGS"
