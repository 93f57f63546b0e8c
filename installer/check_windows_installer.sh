#!/usr/bin/env bash
# The Windows installer, compiled and exercised on Linux under Wine.
#
#   installer/check_windows_installer.sh
#
# 1. Installs what it needs, once (later runs find it and skip ahead): Debian's wine with
#    the i386 architecture (ISCC.exe and Setup are 32-bit programs), xvfb, the MinGW
#    compiler, and the pinned Inno Setup compiler from the npm package "innosetup"
#    (version and checksum in installer/constraints.txt).
# 2. Builds the Linux one-folder bundle (installer/build_linux.sh) unless HEBI_BUNDLE_DIR
#    names one, and stages it as a Windows bundle: a small stand-in hebi-desktop.exe
#    (installer/wine/stand_in.c, which holds the program's mutex on request) where the
#    real programs go. Checks that bundle (installer/check_bundle.py): its --self-test on an
#    encrypted database, sqlcipher3's extension with SQLCipher inside; and that the pinned
#    win_amd64 wheels of sqlcipher3 carry SQLCipher and OpenSSL and the spec names them.
# 3. Checks installer/ChineseSimplified.isl against the compiler's Default.isl, compiles
#    hebi-desktop.iss for version N and N+1 with the defines build_windows.ps1 uses, and
#    fails on any compiler warning.
# 4. Runs the scenarios of installer/wine/scenarios.py in a throw-away Windows 10 prefix
#    with a Chinese locale: install, uninstall keeping the data, install N, upgrade
#    refused while the program runs, upgrade to N+1, uninstall.
#
# Everything is written below one temporary folder (Wine prefix, HOME, XDG folders, the
# staged bundles, the setups), removed at the end; Wine's desktop integration is off.
# The only things kept between runs are the Debian packages and, in HEBI_CI_CACHE
# (default build/ci-cache, ignored by git), the unpacked compiler and the zh_CN locale.
#
# Environment:
#   HEBI_BUNDLE_DIR  an already built Linux bundle (dist/hebi-desktop) to use
#   HEBI_CI_CACHE    where the compiler and the locale are kept between runs
#   KEEP_TEMP=1      keep the temporary folder for inspection
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
CACHE="${HEBI_CI_CACHE:-$ROOT/build/ci-cache}"
STARTED=$SECONDS

step() { echo "==> [$((SECONDS - STARTED))s] $*"; }

# --- 1. tools ----------------------------------------------------------------------------

INNO_LINE="$(grep -E '^# inno-setup [0-9.]+ sha512-' installer/constraints.txt)"
INNO_VERSION="$(awk '{print $3}' <<<"$INNO_LINE")"
INNO_INTEGRITY="$(awk '{print $4}' <<<"$INNO_LINE")"

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

need_packages=()
dpkg_has() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for package in wine wine64 wine32:i386 xvfb xauth gcc-mingw-w64-i686 locales npm; do
    if [[ $package == npm ]] && command -v npm >/dev/null; then continue; fi
    dpkg_has "$package" || need_packages+=("$package")
done
if ((${#need_packages[@]})); then
    step "installing Debian packages: ${need_packages[*]}"
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        as_root dpkg --add-architecture i386
    fi
    as_root apt-get -o DPkg::Lock::Timeout=900 update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 \
        install -y -q --no-install-recommends "${need_packages[@]}"
fi

TMP="$(mktemp -d -t hebi-wine-check.XXXXXX)"
cleanup() {
    local status=$?
    if [[ -n "${WINEPREFIX:-}" && -d "$WINEPREFIX" ]]; then
        wineserver -k 2>/dev/null || true
    fi
    if [[ "${KEEP_TEMP:-0}" == 1 ]]; then
        echo "temporary folder kept: $TMP"
    else
        rm -rf "$TMP"
    fi
    exit $status
}
trap cleanup EXIT

ISCC_DIR="$CACHE/innosetup-$INNO_VERSION"
if [[ ! -f "$ISCC_DIR/ISCC.exe" ]]; then
    step "fetching Inno Setup $INNO_VERSION (npm package innosetup)"
    mkdir -p "$TMP/npm"
    tarball="$(cd "$TMP/npm" && npm_config_cache="$TMP/npm/cache" \
        npm pack --silent "innosetup@$INNO_VERSION")"
    actual="sha512-$(openssl dgst -sha512 -binary "$TMP/npm/$tarball" | base64 -w0)"
    if [[ "$actual" != "$INNO_INTEGRITY" ]]; then
        echo "innosetup-$INNO_VERSION.tgz: checksum $actual, expected $INNO_INTEGRITY" >&2
        exit 1
    fi
    tar -xzf "$TMP/npm/$tarball" -C "$TMP/npm"
    mkdir -p "$CACHE"
    rm -rf "$ISCC_DIR.partial"
    cp -r "$TMP/npm/package/bin" "$ISCC_DIR.partial"
    mv "$ISCC_DIR.partial" "$ISCC_DIR"
fi

LOCALES="$CACHE/locale"
if [[ ! -f "$LOCALES/zh_CN.UTF-8/LC_CTYPE" ]]; then
    step "compiling the zh_CN.UTF-8 locale into $LOCALES"
    mkdir -p "$LOCALES"
    localedef -i zh_CN -f UTF-8 "$LOCALES/zh_CN.UTF-8" || [[ -f "$LOCALES/zh_CN.UTF-8/LC_CTYPE" ]]
fi

# --- 2. bundle -----------------------------------------------------------------------------

if [[ -n "${HEBI_BUNDLE_DIR:-}" ]]; then
    BUNDLE="$HEBI_BUNDLE_DIR"
else
    step "building the Linux bundle"
    DIST_DIR="$TMP/dist" WORK_DIR="$TMP/pyinstaller" SKIP_SELF_TEST=1 PYTHON="$PYTHON" \
        bash installer/build_linux.sh >"$TMP/build.log" 2>&1 || {
        tail -40 "$TMP/build.log" >&2
        exit 1
    }
    BUNDLE="$TMP/dist/hebi-desktop"
fi

step "checking the bundle: --self-test on an encrypted database, sqlcipher3's extension"
"$PYTHON" installer/check_bundle.py folder "$BUNDLE"
step "checking the pinned Windows wheels of sqlcipher3 (pip download) and the spec"
"$PYTHON" installer/check_bundle.py windows-wheels

step "compiling the stand-in hebi-desktop.exe"
i686-w64-mingw32-gcc -O2 -s -o "$TMP/stand_in.exe" installer/wine/stand_in.c

# --- 3 and 4: compile and run, in a throw-away Wine prefix --------------------------------

export HOME="$TMP/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share"
export XDG_CACHE_HOME="$HOME/.cache" XDG_RUNTIME_DIR="$TMP/runtime"
export WINEPREFIX="$TMP/prefix" WINEDEBUG=-all
# winemenubuilder would write menu entries and file associations into $HOME's desktop;
# Mono and Gecko would be downloaded and installed into the new prefix.
export WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree=d;mshtml=d"
export LOCPATH="$LOCALES"
export HEBI_SETUP_COMPRESSION=lzma2/fast
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

step "running the scenarios"
# The Chinese locale only for Wine and the scenarios (this shell has not loaded LOCPATH).
LC_ALL=zh_CN.UTF-8 LANG=zh_CN.UTF-8 xvfb-run -a "$PYTHON" installer/wine/scenarios.py \
    --tmp "$TMP" --bundle "$BUNDLE" --iscc "$ISCC_DIR" --stand-in "$TMP/stand_in.exe"
step "Windows installer check passed"
