<#
.SYNOPSIS
    Tessera set-up on Windows: installs what is missing, configures, builds, then starts Tessera or
    runs the test suite. The PowerShell twin of packaging/bootstrap.sh (written from the vendors'
    documentation; the project's CI exercises only the Debian path).

.DESCRIPTION
    What it installs, and where (each step is skipped when its result is already there):
      - Visual Studio 2022 Build Tools with the C++ workload   winget Microsoft.VisualStudio.2022.BuildTools
      - CMake and Ninja, unless the VS developer shell has them winget Kitware.CMake, Ninja-build.Ninja
      - Git (to clone vcpkg)                                    winget Git.Git
      - Qt 6.7.2 for MSVC 64-bit + Qt Image Formats             aqt (pip install aqtinstall) -> C:\Qt\6.7.2\msvc2019_64
        (or install it with the Qt online installer, https://www.qt.io/download-qt-installer, and pass -QtDir)
      - QtKeychain and Google Benchmark                         vcpkg -> C:\vcpkg\installed\x64-windows
        vcpkg's qtkeychain-qt6 also builds vcpkg's own qtbase (long) and one process must not load two
        Qt versions: with -KeychainFromSource QtKeychain is built from source against -QtDir instead.
    Then: cmake --preset <p> -DCMAKE_PREFIX_PATH=<Qt>;<vcpkg>, cmake --build --preset <p>, ctest --preset dev.

    Windows runs the test suite with the dev preset only: the asan preset passes GCC/Clang flags. MSVC's
    AddressSanitizer is optional; to try it, from a VS developer shell:
        cmake --preset dev -B build/msvc-asan "-DCMAKE_CXX_FLAGS=/fsanitize=address /Zi" -DCMAKE_PREFIX_PATH=...
        cmake --build build/msvc-asan; ctest --test-dir build/msvc-asan --output-on-failure
    (MSVC has no UndefinedBehaviorSanitizer.)

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File packaging\windows\bootstrap.ps1 run
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File packaging\windows\bootstrap.ps1 test
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File packaging\windows\bootstrap.ps1 build release
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File packaging\windows\bootstrap.ps1 cli -- imagine "a red fox"
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('deps', 'build', 'run', 'test', 'cli', 'help')]
    [string]$Command = 'help',

    [string]$QtVersion = '6.7.2',
    # Default: $env:TESSERA_QT_DIR, else C:\Qt\<QtVersion>\msvc2019_64.
    [string]$QtDir = '',
    # Default: $env:VCPKG_ROOT, else C:\vcpkg.
    [string]$VcpkgRoot = '',
    # Default: $env:TESSERA_JOBS, else the number of logical processors.
    [int]$Jobs = 0,
    [switch]$KeychainFromSource,
    [switch]$SkipDeps,

    # `build`: the preset (dev, release). `run`/`cli`: the program's arguments. `test`: extra ctest arguments.
    [Parameter(Position = 1, ValueFromRemainingArguments = $true)]
    [string[]]$Arguments = @()
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$Root = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path
if (-not $QtDir) { $QtDir = if ($env:TESSERA_QT_DIR) { $env:TESSERA_QT_DIR } else { "C:\Qt\$QtVersion\msvc2019_64" } }
if (-not $VcpkgRoot) { $VcpkgRoot = if ($env:VCPKG_ROOT) { $env:VCPKG_ROOT } else { 'C:\vcpkg' } }
if ($Jobs -le 0) { $Jobs = if ($env:TESSERA_JOBS) { [int]$env:TESSERA_JOBS } else { [Environment]::ProcessorCount } }
# `run -- args` and `run args` are the same; only a leading `--` is dropped.
$Arguments = @($Arguments)
if ($Arguments.Count -gt 0 -and $Arguments[0] -eq '--') { $Arguments = @($Arguments | Select-Object -Skip 1) }
$Triplet = 'x64-windows'
$VcpkgInstalled = Join-Path $VcpkgRoot "installed\$Triplet"
$DepsDir = Join-Path $env:LOCALAPPDATA 'tessera-deps'
$KeychainVersion = '0.15.0'

function Write-Step([string]$Message) { Write-Host "[tessera] $Message" }
function Write-Failure([string]$Message) { $host.UI.WriteErrorLine("[tessera] error: $Message") }

# Runs a native program, echoing it, and stops on a non-zero exit status.
function Invoke-Native([string]$Exe, [string[]]$ArgList = @()) {
    Write-Host "+ $Exe $($ArgList -join ' ')"
    & $Exe @ArgList
    if ($LASTEXITCODE -ne 0) { throw "$Exe failed with exit status $LASTEXITCODE" }
}

function Test-Command([string]$Name) { return [bool](Get-Command $Name -ErrorAction SilentlyContinue) }

function Update-SessionPath {
    # winget installs change the machine/user PATH, not this session's.
    $env:Path = [Environment]::GetEnvironmentVariable('Path', 'Machine') + ';' +
        [Environment]::GetEnvironmentVariable('Path', 'User') + ';' + $env:Path
}

function Install-Winget([string]$Id, [string[]]$Extra = @()) {
    if (-not (Test-Command 'winget')) {
        throw "winget is not available: install '$Id' by hand (App Installer from the Microsoft Store provides winget)"
    }
    Invoke-Native 'winget' (@('install', '-e', '--id', $Id, '--accept-source-agreements', '--accept-package-agreements') + $Extra)
    Update-SessionPath
}

function Find-VisualStudio {
    $vswhere = Join-Path ${env:ProgramFiles(x86)} 'Microsoft Visual Studio\Installer\vswhere.exe'
    if (-not (Test-Path $vswhere)) { return $null }
    $path = & $vswhere -latest -products * -requires Microsoft.VisualStudio.Component.VC.Tools.x86.x64 -property installationPath
    if ($path) { return $path.Trim() }
    return $null
}

# Makes cl.exe (and VS's own CMake/Ninja) available in this session.
function Enter-DevShell {
    if (Test-Command 'cl') { return }
    $vs = Find-VisualStudio
    if (-not $vs) { throw 'Visual Studio 2022 (Build Tools) with the C++ workload was not found: run the deps command' }
    Import-Module (Join-Path $vs 'Common7\Tools\Microsoft.VisualStudio.DevShell.dll')
    Enter-VsDevShell -VsInstallPath $vs -SkipAutomaticLocation -DevCmdArguments '-arch=x64 -host_arch=x64' | Out-Null
}

function Install-Qt {
    if (Test-Path (Join-Path $QtDir 'lib\cmake\Qt6\Qt6Config.cmake')) { return }
    $qtRoot = Split-Path (Split-Path $QtDir -Parent) -Parent   # C:\Qt\6.7.2\msvc2019_64 -> C:\Qt
    $python = if (Test-Command 'py') { 'py' } elseif (Test-Command 'python') { 'python' } else { $null }
    if (-not $python) {
        Install-Winget 'Python.Python.3.12'
        $python = if (Test-Command 'py') { 'py' } else { 'python' }
    }
    Write-Step "installing Qt $QtVersion into $qtRoot with aqtinstall (or use the Qt online installer and pass -QtDir)"
    Invoke-Native $python @('-m', 'pip', 'install', '--user', '--upgrade', 'aqtinstall')
    Invoke-Native $python @('-m', 'aqt', 'install-qt', 'windows', 'desktop', $QtVersion, 'win64_msvc2019_64',
        '-m', 'qtimageformats', '-O', $qtRoot)
    if (-not (Test-Path (Join-Path $QtDir 'lib\cmake\Qt6\Qt6Config.cmake'))) {
        throw "Qt was not found in $QtDir after installing it; pass -QtDir <folder containing lib\cmake\Qt6>"
    }
}

function Install-Vcpkg {
    if (-not (Test-Path (Join-Path $VcpkgRoot 'vcpkg.exe'))) {
        if (-not (Test-Command 'git')) { Install-Winget 'Git.Git' }
        if (-not (Test-Path $VcpkgRoot)) {
            Invoke-Native 'git' @('clone', 'https://github.com/microsoft/vcpkg', $VcpkgRoot)
        }
        Invoke-Native (Join-Path $VcpkgRoot 'bootstrap-vcpkg.bat') @('-disableMetrics')
    }
    $ports = @()
    if (-not (Test-Path (Join-Path $VcpkgInstalled 'share\benchmark'))) { $ports += 'benchmark' }
    if (-not $KeychainFromSource -and -not (Test-Path (Join-Path $VcpkgInstalled 'share\Qt6Keychain'))) {
        $ports += 'qtkeychain-qt6'
    }
    if ($ports.Count -gt 0) {
        Invoke-Native (Join-Path $VcpkgRoot 'vcpkg.exe') (@('install') + $ports + @('--triplet', $Triplet))
    }
}

# QtKeychain built against $QtDir, once per configuration: MSVC's Debug and Release Qt are different
# DLLs (Qt6Cored.dll / Qt6Core.dll), so a Debug Tessera needs a Debug QtKeychain.
function Get-KeychainPrefix([string]$Config) { return Join-Path $DepsDir "qtkeychain-$KeychainVersion-$Config" }

function Install-KeychainFromSource {
    $src = Join-Path $DepsDir "qtkeychain-$KeychainVersion-src"
    if (-not (Test-Path $src)) {
        if (-not (Test-Command 'git')) { Install-Winget 'Git.Git' }
        Invoke-Native 'git' @('clone', '--depth', '1', '--branch', $KeychainVersion,
            'https://github.com/frankosterfeld/qtkeychain', $src)
    }
    foreach ($config in @('Debug', 'Release')) {
        $prefix = Get-KeychainPrefix $config
        if (Test-Path (Join-Path $prefix 'lib\cmake\Qt6Keychain')) { continue }
        $build = Join-Path $DepsDir "qtkeychain-build-$config"
        Invoke-Native 'cmake' @('-S', $src, '-B', $build, '-G', 'Ninja', "-DCMAKE_BUILD_TYPE=$config",
            '-DBUILD_WITH_QT6=ON', '-DBUILD_TRANSLATIONS=OFF', '-DBUILD_TEST_APPLICATION=OFF',
            "-DCMAKE_PREFIX_PATH=$QtDir", "-DCMAKE_INSTALL_PREFIX=$prefix")
        Invoke-Native 'cmake' @('--build', $build, '--parallel', "$Jobs")
        Invoke-Native 'cmake' @('--install', $build)
    }
}

function Invoke-Deps {
    if ($SkipDeps) { Write-Step 'deps: skipped (-SkipDeps)'; return }
    if (-not (Find-VisualStudio)) {
        Write-Step 'installing Visual Studio 2022 Build Tools with the C++ workload (needs administrator rights)'
        Install-Winget 'Microsoft.VisualStudio.2022.BuildTools' @('--override',
            '--wait --passive --add Microsoft.VisualStudio.Workload.VCTools --includeRecommended')
    }
    Enter-DevShell
    if (-not (Test-Command 'cmake')) { Install-Winget 'Kitware.CMake' }
    if (-not (Test-Command 'ninja')) { Install-Winget 'Ninja-build.Ninja' }
    Install-Qt
    Install-Vcpkg
    if ($KeychainFromSource) { Install-KeychainFromSource }
    Write-Step "deps: Qt in $QtDir, vcpkg packages in $VcpkgInstalled"
}

function Get-Config([string]$Preset) { if ($Preset -eq 'release') { return 'Release' } else { return 'Debug' } }

function Get-PrefixPath([string]$Preset) {
    $paths = @($QtDir, $VcpkgInstalled)
    if ($KeychainFromSource) { $paths = @($QtDir, (Get-KeychainPrefix (Get-Config $Preset)), $VcpkgInstalled) }
    return (($paths | ForEach-Object { $_ -replace '\\', '/' }) -join ';')
}

# DLLs are found through PATH: Qt first, then QtKeychain and vcpkg (Debug builds use vcpkg's debug\bin).
function Set-RuntimePath([string]$Preset) {
    $bins = @((Join-Path $QtDir 'bin'))
    if ($KeychainFromSource) { $bins += Join-Path (Get-KeychainPrefix (Get-Config $Preset)) 'bin' }
    if ((Get-Config $Preset) -eq 'Debug') { $bins += Join-Path $VcpkgInstalled 'debug\bin' }
    $bins += Join-Path $VcpkgInstalled 'bin'
    $env:Path = ($bins -join ';') + ';' + $env:Path
}

function Invoke-Build([string]$Preset) {
    if ($Preset -notin @('dev', 'release')) { throw "unknown preset '$Preset' (Windows: dev or release)" }
    Invoke-Deps
    Enter-DevShell
    Push-Location $Root
    try {
        Invoke-Native 'cmake' @('--preset', $Preset, "-DCMAKE_PREFIX_PATH=$(Get-PrefixPath $Preset)")
        Invoke-Native 'cmake' @('--build', '--preset', $Preset, '--parallel', "$Jobs")
    } finally { Pop-Location }
    Set-RuntimePath $Preset
    Write-Step "build: preset '$Preset' built -> build\$Preset"
}

function Show-Help { Get-Help $PSCommandPath -Detailed }

$started = Get-Date
switch ($Command) {
    'deps' { Invoke-Deps }
    'build' {
        $preset = if ($Arguments.Count -gt 0) { $Arguments[0] } else { 'dev' }
        Invoke-Build $preset
    }
    'run' {
        Invoke-Build 'release'
        $app = Join-Path $Root 'build\release\bin\tessera.exe'
        if (-not (Test-Path $app)) { throw "$app was not built" }
        & $app @Arguments
        exit $LASTEXITCODE
    }
    'cli' {
        Invoke-Build 'release'
        & (Join-Path $Root 'build\release\bin\tessera-cli.exe') @Arguments
        exit $LASTEXITCODE
    }
    'test' {
        try { Invoke-Build 'dev' } catch { Write-Failure "tests FAILED: building preset 'dev' failed: $_"; exit 1 }
        Push-Location $Root
        try {
            Write-Host "+ ctest --preset dev $($Arguments -join ' ')"
            & ctest --preset dev @Arguments
            if ($LASTEXITCODE -ne 0) { Write-Failure "tests FAILED in preset 'dev' (ctest --preset dev; output above)"; exit 1 }
        } finally { Pop-Location }
        Write-Step ("test: all tests passed in preset dev ({0:mm\:ss})" -f ((Get-Date) - $started))
    }
    default { Show-Help }
}
