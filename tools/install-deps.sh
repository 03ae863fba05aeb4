#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds and tests with. Safe to rerun.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git
  libvulkan-dev glslang-tools spirv-tools vulkan-tools vulkan-validationlayers
  mesa-vulkan-drivers
  libglfw3-dev libimgui-dev libstb-dev
  xvfb xauth fonts-dejavu-core libx11-dev
  libpoppler-cpp-dev libgumbo-dev
  libgtest-dev
  clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
