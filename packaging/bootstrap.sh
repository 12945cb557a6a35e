#!/usr/bin/env bash
# Tessera set-up in one command: installs what is missing, configures, builds, then starts Tessera or
# runs the test suite. Debian 12 is the platform this is exercised on (CI runs `test` on a fresh Debian
# 12 machine as root); macOS (Homebrew), Windows (Git Bash; see also windows/bootstrap.ps1), Fedora and
# Arch branches are written from the vendors' documentation and are best effort.
#
#   packaging/bootstrap.sh run  [-- app args]    deps, build `release`, start build/release/bin/tessera
#   packaging/bootstrap.sh test [-- ctest args]  deps, then configure/build/ctest `dev`, then `asan`
#   packaging/bootstrap.sh help                  everything else (deps, build, cli, environment)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PRESETS=(dev asan release)

# Debian/Ubuntu, known good on Debian 12 (bookworm). The first group builds Tessera, the second is for
# the tests and for looking at the UI: offscreen/Xvfb UI tests, screenshots (ImageMagick `import`),
# driving the UI (xdotool), a real Secret Service for keychain tests (dbus-run-session +
# gnome-keyring-daemon, secret-tool). (On Debian 12 the xcb and offscreen platform plugins are in
# libqt6gui6 itself.)
readonly DEBIAN_PACKAGES=(
    cmake g++ ninja-build pkg-config
    qt6-base-dev qt6-base-dev-tools qtkeychain-qt6-dev libqt6sql6-sqlite qt6-image-formats-plugins
    qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev libbenchmark-dev
    xvfb xauth xdotool imagemagick dbus dbus-x11 gnome-keyring libsecret-tools
)
# Runtime only, for someone who runs a tessera built elsewhere (not used by this script):
#   libqt6widgets6 libqt6network6 libqt6concurrent6 libqt6sql6-sqlite libqt6keychain1 libqt6svg6
#   qt6-image-formats-plugins (qt6-wayland for native Wayland), plus a Secret Service provider
#   (gnome-keyring, or KWallet) so that API keys can be stored.

# Best effort, not exercised: names taken from the distributions' package indexes.
readonly FEDORA_PACKAGES=(
    cmake gcc-c++ ninja-build pkgconf-pkg-config libasan libubsan
    qt6-qtbase-devel qt6-qtsvg-devel qt6-qttools-devel qt6-qtimageformats qtkeychain-qt6-devel
    mesa-libGL-devel google-benchmark-devel
    xorg-x11-server-Xvfb xorg-x11-xauth xdotool ImageMagick dbus-daemon dbus-x11 gnome-keyring libsecret
)
readonly ARCH_PACKAGES=(
    cmake gcc ninja pkgconf qt6-base qt6-svg qt6-tools qt6-imageformats qtkeychain-qt6 libglvnd benchmark
    xorg-server-xvfb xorg-xauth xdotool imagemagick dbus gnome-keyring libsecret
)
readonly BREW_FORMULAE=(cmake ninja qt qtkeychain google-benchmark)

# Windows defaults (Git Bash / MSYS); override with TESSERA_QT_DIR and VCPKG_ROOT.
readonly WINDOWS_QT_VERSION=6.7.2
readonly WINDOWS_QT_DIR_DEFAULT="C:/Qt/${WINDOWS_QT_VERSION}/msvc2019_64"
readonly WINDOWS_VCPKG_DEFAULT="C:/vcpkg"

# ---------------------------------------------------------------------------------------------------
# Output and command helpers

log() { printf '[tessera] %s\n' "$*"; }
warn() { printf '[tessera] warning: %s\n' "$*" >&2; }
die() {
    printf '[tessera] error: %s\n' "$*" >&2
    exit 1
}

dry_run() { [[ "${TESSERA_DRY_RUN:-0}" != 0 ]]; }

# Prints a command and runs it (in dry-run mode only prints it).
run() {
    local quoted
    printf -v quoted '%q ' "$@"
    printf '+ %s\n' "${quoted% }"
    dry_run && return 0
    "$@"
}

# Runs a command as root: directly when root, through sudo otherwise.
as_root() {
    if [[ "$(id -u)" == 0 ]]; then
        run "$@"
    elif command -v sudo >/dev/null 2>&1; then
        run sudo "$@"
    else
        die "installing packages needs root, and sudo is not installed. Run this as root, or install sudo" \
            "and add $(id -un) to the sudo group. The command was: $*"
    fi
}

elapsed() {
    local s=$1
    printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# ---------------------------------------------------------------------------------------------------
# Platform detection

# Prints one of: debian fedora arch macos windows unknown. TESSERA_PLATFORM overrides it (used to
# check the other branches with TESSERA_DRY_RUN=1 on a Linux machine).
detect_platform() {
    if [[ -n "${TESSERA_PLATFORM:-}" ]]; then
        echo "$TESSERA_PLATFORM"
        return
    fi
    case "$(uname -s)" in
    Darwin) echo macos ;;
    MINGW* | MSYS* | CYGWIN*) echo windows ;;
    Linux)
        local id="" like=""
        if [[ -r /etc/os-release ]]; then
            # shellcheck disable=SC1091
            id="$(. /etc/os-release && echo "${ID:-}")"
            # shellcheck disable=SC1091
            like="$(. /etc/os-release && echo "${ID_LIKE:-}")"
        fi
        case " $id $like " in
        *" debian "* | *" ubuntu "*) echo debian ;;
        *" fedora "* | *" rhel "* | *" centos "*) echo fedora ;;
        *" arch "*) echo arch ;;
        *)
            if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
                echo debian
            else
                echo unknown
            fi
            ;;
        esac
        ;;
    *) echo unknown ;;
    esac
}

PLATFORM="$(detect_platform)"
readonly PLATFORM

# ---------------------------------------------------------------------------------------------------
# Dependencies

# Extra package names appended to the platform's list (TESSERA_EXTRA_PACKAGES="a b"), e.g. to check the
# install path with a package that is missing: TESSERA_DRY_RUN=1 TESSERA_EXTRA_PACKAGES=foo ... deps
EXTRA_PACKAGES=()
read -r -a EXTRA_PACKAGES <<<"${TESSERA_EXTRA_PACKAGES:-}" || true
readonly EXTRA_PACKAGES

# Arguments added to every `cmake --preset` (where Qt and friends are on macOS and Windows).
CONFIGURE_ARGS=()

deps_debian() {
    local -a wanted=("${DEBIAN_PACKAGES[@]}" ${EXTRA_PACKAGES[@]+"${EXTRA_PACKAGES[@]}"})
    local -a missing=()
    local pkg
    for pkg in "${wanted[@]}"; do
        # "install ok installed" (or "hold ok installed"); anything else, or no such package, is missing.
        if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q ' ok installed$'; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        log "deps: all ${#wanted[@]} packages are installed"
        return
    fi
    log "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
    # Wait for a lock held by unattended-upgrades on a freshly booted machine instead of failing.
    local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q)
    as_root "${apt[@]}" update
    as_root "${apt[@]}" install -y "${missing[@]}"
}

deps_fedora() {
    local -a missing=()
    local pkg
    for pkg in "${FEDORA_PACKAGES[@]}" ${EXTRA_PACKAGES[@]+"${EXTRA_PACKAGES[@]}"}; do
        rpm -q --quiet "$pkg" 2>/dev/null || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "deps: all packages are installed"
        return
    fi
    warn "Fedora support is best effort (package names not exercised); if a name is wrong, install the" \
        "equivalent of: ${missing[*]}"
    as_root dnf install -y "${missing[@]}"
}

deps_arch() {
    local -a missing=()
    local pkg
    for pkg in "${ARCH_PACKAGES[@]}" ${EXTRA_PACKAGES[@]+"${EXTRA_PACKAGES[@]}"}; do
        pacman -Qi "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "deps: all packages are installed"
        return
    fi
    warn "Arch support is best effort (package names not exercised); if a name is wrong, install the" \
        "equivalent of: ${missing[*]}"
    as_root pacman -S --needed --noconfirm "${missing[@]}"
}

deps_macos() {
    if ! xcode-select -p >/dev/null 2>&1; then
        die "the Xcode Command Line Tools are missing: run 'xcode-select --install', then run this again"
    fi
    if ! command -v brew >/dev/null 2>&1; then
        die "Homebrew is missing: install it from https://brew.sh, then run this again"
    fi
    local -a missing=()
    local f
    for f in "${BREW_FORMULAE[@]}" ${EXTRA_PACKAGES[@]+"${EXTRA_PACKAGES[@]}"}; do
        brew list --versions "$f" >/dev/null 2>&1 || missing+=("$f")
    done
    if ((${#missing[@]} == 0)); then
        log "deps: all Homebrew formulae are installed"
    else
        log "deps: installing ${#missing[@]} missing formula(e): ${missing[*]}"
        run brew install "${missing[@]}"
    fi
}

windows_qt_dir() {
    local dir="${TESSERA_QT_DIR:-$WINDOWS_QT_DIR_DEFAULT}"
    command -v cygpath >/dev/null 2>&1 && dir="$(cygpath -m "$dir")"
    echo "$dir"
}

windows_vcpkg_root() {
    local dir="${VCPKG_ROOT:-$WINDOWS_VCPKG_DEFAULT}"
    command -v cygpath >/dev/null 2>&1 && dir="$(cygpath -m "$dir")"
    echo "$dir"
}

# Windows is not installed silently from bash: this says what to install and where, and checks.
deps_windows() {
    local qt vcpkg
    qt="$(windows_qt_dir)"
    vcpkg="$(windows_vcpkg_root)"
    cat <<EOF
[tessera] Windows: install these once (or run packaging/windows/bootstrap.ps1 in PowerShell, which does it):
  1. Visual Studio 2022 Build Tools with the C++ workload:
       winget install -e --id Microsoft.VisualStudio.2022.BuildTools --override "--wait --quiet --add Microsoft.VisualStudio.Workload.VCTools --includeRecommended"
  2. CMake and Ninja:
       winget install -e --id Kitware.CMake
       winget install -e --id Ninja-build.Ninja
  3. Qt ${WINDOWS_QT_VERSION} (any 6.5+) for MSVC 64-bit with the Qt Image Formats module, into C:\\Qt:
       the Qt online installer (https://www.qt.io/download-qt-installer), or
       pip install aqtinstall && aqt install-qt windows desktop ${WINDOWS_QT_VERSION} win64_msvc2019_64 -m qtimageformats -O C:\\Qt
     -> ${qt}   (set TESSERA_QT_DIR if elsewhere)
  4. QtKeychain and Google Benchmark with vcpkg:
       git clone https://github.com/microsoft/vcpkg ${vcpkg} && ${vcpkg}/bootstrap-vcpkg.bat -disableMetrics
       ${vcpkg}/vcpkg install qtkeychain-qt6 benchmark --triplet x64-windows
     -> ${vcpkg}/installed/x64-windows   (set VCPKG_ROOT if elsewhere)
     Note: vcpkg's qtkeychain-qt6 also builds vcpkg's own qtbase (long), and one process must not load two
     Qt versions. Either use vcpkg's Qt for everything (TESSERA_QT_DIR=${vcpkg}/installed/x64-windows) or
     build QtKeychain from source against ${qt} (packaging/windows/bootstrap.ps1 -KeychainFromSource).
  Then run this script from an "x64 Native Tools Command Prompt for VS 2022" shell (so cl.exe is found).
EOF
    local -a problems=()
    command -v cmake >/dev/null 2>&1 || problems+=("cmake not on PATH")
    command -v ninja >/dev/null 2>&1 || problems+=("ninja not on PATH")
    command -v cl >/dev/null 2>&1 || problems+=("cl.exe not on PATH (not a VS developer shell)")
    [[ -e "$qt/lib/cmake/Qt6/Qt6Config.cmake" ]] || problems+=("Qt not found in $qt")
    [[ -d "$vcpkg/installed/x64-windows/share/qt6keychain" || -d "$vcpkg/installed/x64-windows/share/Qt6Keychain" ]] ||
        problems+=("QtKeychain not found in $vcpkg/installed/x64-windows")
    if ((${#problems[@]} > 0)); then
        local list
        list="$(printf '%s; ' "${problems[@]}")"
        dry_run && { warn "missing: ${list%; }"; return 0; }
        die "missing: ${list}install as above, then run this again"
    fi
    log "deps: Windows tools found"
}

deps_unknown() {
    warn "unknown system: install by hand CMake >= 3.21, Ninja, a C++20 compiler (GCC >= 11 or Clang >= 14)," \
        "Qt >= 6.4 (Core Gui Widgets Network Sql with the SQLite driver, Concurrent, Svg, Tools, Image" \
        "Formats), QtKeychain for Qt 6, Google Benchmark; for the tests also dbus (dbus-run-session)," \
        "gnome-keyring, Xvfb, xdotool and ImageMagick. Continuing with what is there."
}

# Where CMake finds Qt, QtKeychain and Benchmark off the default paths: -DCMAKE_PREFIX_PATH for the
# configure step, and PATH for running the built programs (Windows finds DLLs through PATH).
set_prefix_path() {
    case "$PLATFORM" in
    macos)
        if command -v brew >/dev/null 2>&1; then
            CONFIGURE_ARGS=("-DCMAKE_PREFIX_PATH=$(brew --prefix qt);$(brew --prefix)")
        fi
        ;;
    windows)
        local qt vcpkg
        qt="$(windows_qt_dir)"
        vcpkg="$(windows_vcpkg_root)/installed/x64-windows"
        CONFIGURE_ARGS=("-DCMAKE_PREFIX_PATH=$qt;$vcpkg")
        if command -v cygpath >/dev/null 2>&1; then
            PATH="$(cygpath -u "$qt")/bin:$(cygpath -u "$vcpkg")/bin:$PATH"
            export PATH
        fi
        ;;
    esac
}

cmd_deps() {
    if [[ "${TESSERA_SKIP_DEPS:-0}" != 0 ]]; then
        log "deps: skipped (TESSERA_SKIP_DEPS)"
    else
        case "$PLATFORM" in
        debian) deps_debian ;;
        fedora) deps_fedora ;;
        arch) deps_arch ;;
        macos) deps_macos ;;
        windows) deps_windows ;;
        *) deps_unknown ;;
        esac
    fi
    set_prefix_path
}

# ---------------------------------------------------------------------------------------------------
# Configure and build

# Parallel jobs: TESSERA_JOBS, else the number of cores, capped so that each compiler process has about
# 1.5 GB of available memory (ASan builds of Qt code need that; an OOM-killed compiler is a confusing
# CI failure).
build_jobs() {
    if [[ -n "${TESSERA_JOBS:-}" ]]; then
        echo "$TESSERA_JOBS"
        return
    fi
    local cores
    cores="$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo "${NUMBER_OF_PROCESSORS:-2}")"
    if [[ -r /proc/meminfo ]]; then
        local avail_kb cap
        avail_kb="$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)"
        if [[ -n "$avail_kb" ]]; then
            cap=$((avail_kb / 1572864))
            ((cap >= 1)) || cap=1
            ((cores <= cap)) || cores=$cap
        fi
    fi
    echo "$cores"
}

check_preset() {
    local p
    for p in "${PRESETS[@]}"; do [[ "$1" == "$p" ]] && return 0; done
    die "unknown preset '$1' (known: ${PRESETS[*]})"
}

check_cmake() {
    dry_run && return 0
    command -v cmake >/dev/null 2>&1 || die "cmake is not installed (run: packaging/bootstrap.sh deps)"
    local version
    version="$(cmake --version | awk 'NR == 1 { print $3 }')"
    local major=${version%%.*} rest=${version#*.}
    local minor=${rest%%.*}
    if ((major < 3 || (major == 3 && minor < 21))); then
        die "CMake $version is too old: CMakePresets.json needs CMake >= 3.21"
    fi
}

# configure + build one preset; returns non-zero on failure (callers name the failing step).
configure_preset() {
    (cd "$ROOT" && run cmake --preset "$1" ${CONFIGURE_ARGS[@]+"${CONFIGURE_ARGS[@]}"})
}

build_preset() {
    (cd "$ROOT" && run cmake --build --preset "$1" --parallel "$JOBS")
}

cmd_build() {
    local preset="${1:-dev}"
    check_preset "$preset"
    cmd_deps
    check_cmake
    local t0=$SECONDS
    configure_preset "$preset" || die "configuring preset '$preset' failed (see the CMake output above)"
    build_preset "$preset" || die "building preset '$preset' failed (see the compiler output above)"
    log "build: preset '$preset' built in $(elapsed $((SECONDS - t0))) -> build/$preset"
}

exe_suffix() {
    if [[ "$PLATFORM" == windows ]]; then echo .exe; fi
}

cmd_run() {
    cmd_build release
    local app
    app="$ROOT/build/release/bin/tessera$(exe_suffix)"
    if ! dry_run && [[ ! -x "$app" ]]; then
        die "$app was not built (the tessera target is defined in app/gui)"
    fi
    if [[ "$PLATFORM" != macos && "$PLATFORM" != windows && -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" &&
        -z "${QT_QPA_PLATFORM:-}" ]]; then
        warn "no DISPLAY or WAYLAND_DISPLAY: Tessera needs a desktop session (or xvfb-run -a, or QT_QPA_PLATFORM=offscreen)"
    fi
    log "run: $app $*"
    dry_run && return 0
    exec "$app" "$@"
}

cmd_cli() {
    cmd_build release
    local cli
    cli="$ROOT/build/release/bin/tessera-cli$(exe_suffix)"
    dry_run || [[ -x "$cli" ]] || die "$cli was not built"
    dry_run && { log "cli: $cli $*"; return 0; }
    exec "$cli" "$@"
}

# ---------------------------------------------------------------------------------------------------
# Tests

# The presets the whole suite must pass under on this platform. MSVC does not take the asan preset's
# GCC/Clang flags, so Windows runs dev only.
test_presets() {
    if [[ "$PLATFORM" == windows ]]; then echo dev; else echo dev asan; fi
}

run_ctest() {
    local preset=$1
    shift
    local -a ctest=(ctest --preset "$preset" ${1+"$@"})
    if [[ "$PLATFORM" == macos && "$preset" == asan ]]; then
        # Apple's ASan rejects detect_leaks=1 (the asan test preset's ASAN_OPTIONS), so on macOS the asan
        # tree is tested without the preset and without leak detection.
        ctest=(env "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1"
            "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
            ctest --test-dir "build/$preset" --output-on-failure --no-tests=error --timeout 600 ${1+"$@"})
    fi
    # A throwaway D-Bus session and unlocked keyring when the tools exist (Linux), plain ctest otherwise.
    (cd "$ROOT" && run bash "$ROOT/packaging/linux/with-test-session.sh" "${ctest[@]}")
}

cmd_test() {
    cmd_deps
    check_cmake
    local -a presets
    read -r -a presets <<<"$(test_presets)"
    local preset t0 t_all=$SECONDS
    local -a summary=()
    for preset in "${presets[@]}"; do
        log "test: ===== preset '$preset' ====="
        t0=$SECONDS
        configure_preset "$preset" || die "tests FAILED: configuring preset '$preset' failed"
        build_preset "$preset" || die "tests FAILED: building preset '$preset' failed"
        local built=$((SECONDS - t0))
        t0=$SECONDS
        if ! run_ctest "$preset" ${1+"$@"}; then
            die "tests FAILED in preset '$preset' (ctest --preset $preset; output above)"
        fi
        summary+=("$preset: build $(elapsed "$built"), ctest $(elapsed $((SECONDS - t0)))")
    done
    if dry_run; then
        log "test: dry run, nothing was built or tested"
        return
    fi
    log "test: all tests passed in preset(s) ${presets[*]} ($(elapsed $((SECONDS - t_all))) total)"
    printf '[tessera]   %s\n' "${summary[@]}"
}

# ---------------------------------------------------------------------------------------------------

cmd_help() {
    cat <<'EOF'
Usage: packaging/bootstrap.sh <command> [arguments]

Commands (each one installs what is missing first, so any of them works on a fresh clone):
  run  [-- args]       build the `release` preset and start build/release/bin/tessera with args
  test [-- ctest args] configure, build and run the whole test suite for `dev`, then `asan`
                       (Windows: `dev` only); stops at the first preset that fails and names it.
                       Extra arguments go to both ctest runs, e.g.  test -- -L core
  cli  [-- args]       build `release` and run build/release/bin/tessera-cli with args
  build [preset]       configure and build one preset: dev (default), asan or release
  deps                 only install what is missing (apt/dnf/pacman with sudo when not root; Homebrew on
                       macOS; on Windows it prints what to install and where)
  help                 this text

Environment:
  TESSERA_JOBS=N          parallel compile jobs (default: number of cores, capped by free memory)
  TESSERA_DRY_RUN=1       print the commands that would change the system, build or run; run none
  TESSERA_SKIP_DEPS=1     do not check or install packages
  TESSERA_EXTRA_PACKAGES  more package names for `deps` (space separated)
  TESSERA_PLATFORM        force a branch: debian fedora arch macos windows unknown
  TESSERA_QT_DIR, VCPKG_ROOT   Windows: where Qt and vcpkg are (default C:/Qt/6.7.2/msvc2019_64, C:/vcpkg)
EOF
}

main() {
    if [[ -n "${TESSERA_JOBS:-}" && ! "$TESSERA_JOBS" =~ ^[1-9][0-9]*$ ]]; then
        die "TESSERA_JOBS must be a positive number, not '$TESSERA_JOBS'"
    fi
    JOBS="$(build_jobs)"
    readonly JOBS
    local cmd="${1:-help}"
    (($# > 0)) && shift
    # `run -- args` and `run args` are the same; the `--` only protects args that look like options.
    [[ "${1:-}" == "--" ]] && shift
    case "$cmd" in
    deps) cmd_deps ;;
    build)
        (($# <= 1)) || die "build takes one preset name"
        cmd_build "$@"
        ;;
    run) cmd_run "$@" ;;
    test) cmd_test "$@" ;;
    cli) cmd_cli "$@" ;;
    help | -h | --help) cmd_help ;;
    *)
        cmd_help >&2
        die "unknown command '$cmd'"
        ;;
    esac
}

main "$@"
