<#
.SYNOPSIS
    Builds the Windows installer of hebi-desktop: dist\hebi-desktop-setup-<version>.exe

.DESCRIPTION
    1. Creates a virtual environment in build\venv-windows and installs the project with
       its build tools into it, at the pinned versions of installer\constraints.txt:
       pip install -c installer\constraints.txt ".[installer]"
    2. Runs PyInstaller with installer\hebi-desktop.spec, giving dist\hebi-desktop\ with
       hebi-desktop.exe (windowed) and hebi-desktop-cli.exe (console) sharing
       _internal-<version>\.
    3. Runs the console companion's --self-test (temporary database, migrations, one record
       in each ledger, a workbook exported and read back) and stops if it fails.
    4. Signs both programs when a certificate is configured (see -SignTool below).
    5. Checks installer\ChineseSimplified.isl against the compiler's Default.isl and
       compiles installer\hebi-desktop.iss with Inno Setup (the version pinned in
       installer\constraints.txt), passing the version from hebi_desktop\__init__.py.

    Needs 64-bit Python 3.11 or later and Inno Setup 6.4.1. Run it from any folder:

        powershell -ExecutionPolicy Bypass -File installer\build_windows.ps1

    Code signing is optional and on only when one of these environment variables is set:
        HEBI_SIGN_PFX (path of a .pfx file) with HEBI_SIGN_PFX_PASSWORD, or
        HEBI_SIGN_THUMBPRINT (a certificate in the user's certificate store).
    HEBI_SIGN_TIMESTAMP_URL overrides the RFC 3161 time-stamp server.

.PARAMETER Python
    Python executable used to create the virtual environment. Default: the "py -3"
    launcher when installed, otherwise "python" from PATH.

.PARAMETER Iscc
    Full path of ISCC.exe, when Inno Setup is not installed in a standard place.

.PARAMETER SignTool
    Full path of signtool.exe (Windows SDK), when signing and it is not on PATH.

.PARAMETER Clean
    Recreate the virtual environment and PyInstaller's work folder first.

.PARAMETER SkipSelfTest
    Do not run the bundle's --self-test.

.PARAMETER SkipInstaller
    Stop after the bundle (no Inno Setup needed).
#>
[CmdletBinding()]
param(
    [string]$Python = "",
    [string]$Iscc = "",
    [string]$SignTool = "",
    [switch]$Clean,
    [switch]$SkipSelfTest,
    [switch]$SkipInstaller
)

Set-StrictMode -Version Latest
$ErrorActionPreference = "Stop"

# This file is kept ASCII-only: Windows PowerShell 5.1 reads scripts without a byte order
# mark in the ANSI code page. Chinese text is therefore built from code points.
# The self-test's success line starts with this mark.
$SuccessMark = -join [char[]](0x81EA, 0x68C0, 0x901A, 0x8FC7)

$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root

$AppName = "hebi-desktop"
$Venv = Join-Path $Root "build\venv-windows"
$WorkDir = Join-Path $Root "build\pyinstaller"
$DistDir = Join-Path $Root "dist"
$Bundle = Join-Path $DistDir $AppName
$Spec = Join-Path $Root "installer\hebi-desktop.spec"
$IssFile = Join-Path $Root "installer\hebi-desktop.iss"

function Invoke-Checked {
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string[]]$Arguments = @()
    )
    Write-Host "> $FilePath $($Arguments -join ' ')"
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$FilePath failed with exit code $LASTEXITCODE"
    }
}

function Read-OutputFile {
    param([string]$Path)
    if (-not (Test-Path $Path)) { return "" }
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    $strictUtf8 = New-Object System.Text.UTF8Encoding($false, $true)
    try {
        return $strictUtf8.GetString($bytes)
    } catch {
        # Not UTF-8: Python wrote in the ANSI code page (cp936 on Chinese Windows).
        $codePage = [System.Globalization.CultureInfo]::CurrentCulture.TextInfo.ANSICodePage
        return [System.Text.Encoding]::GetEncoding($codePage).GetString($bytes)
    }
}

function Find-Iscc {
    if ($Iscc) {
        if (Test-Path $Iscc) { return (Resolve-Path $Iscc).Path }
        throw "ISCC.exe not found at $Iscc"
    }
    $command = Get-Command "ISCC.exe" -ErrorAction SilentlyContinue
    if ($command) { return $command.Source }
    $candidates = @()
    $userPrograms = Join-Path $env:LOCALAPPDATA "Programs"
    $bases = @(${env:ProgramFiles(x86)}, $env:ProgramFiles, $userPrograms)
    foreach ($base in $bases) {
        if ($base) { $candidates += (Join-Path $base "Inno Setup 6\ISCC.exe") }
    }
    $uninstallKeys = @(
        "HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall\Inno Setup 6_is1",
        "HKLM:\Software\Microsoft\Windows\CurrentVersion\Uninstall\Inno Setup 6_is1",
        "HKLM:\Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\Inno Setup 6_is1"
    )
    foreach ($key in $uninstallKeys) {
        $entry = Get-ItemProperty -Path $key -ErrorAction SilentlyContinue
        if ($entry -and ($entry.PSObject.Properties.Name -contains "InstallLocation")) {
            $candidates += (Join-Path $entry.InstallLocation "ISCC.exe")
        }
    }
    foreach ($candidate in $candidates) {
        if (Test-Path $candidate) { return $candidate }
    }
    throw "Inno Setup 6 (ISCC.exe) not found; install it or pass -Iscc <path to ISCC.exe>"
}

# --- version ---------------------------------------------------------------------------

$initText = Get-Content -Raw -Encoding UTF8 (Join-Path $Root "hebi_desktop\__init__.py")
if ($initText -notmatch '(?m)^__version__\s*=\s*["'']([^"'']+)["'']') {
    throw "__version__ not found in hebi_desktop\__init__.py"
}
$Version = $Matches[1]
Write-Host "==> building $AppName $Version"

# --- virtual environment -----------------------------------------------------------------

if ($Clean) {
    foreach ($folder in @($Venv, $WorkDir)) {
        if (Test-Path $folder) { Remove-Item -Recurse -Force $folder }
    }
}
$Py = Join-Path $Venv "Scripts\python.exe"
if (-not (Test-Path $Py)) {
    if ($Python) {
        Invoke-Checked $Python @("-m", "venv", $Venv)
    } elseif (Get-Command "py" -ErrorAction SilentlyContinue) {
        Invoke-Checked "py" @("-3", "-m", "venv", $Venv)
    } else {
        Invoke-Checked "python" @("-m", "venv", $Venv)
    }
}
Invoke-Checked $Py @("-m", "pip", "install", "--upgrade", "pip")
# Pinned versions: the same libraries on every build of the same commit.
Invoke-Checked $Py @("-m", "pip", "install", "-c", "installer\constraints.txt", ".[installer]")

# --- bundle ------------------------------------------------------------------------------

Invoke-Checked $Py @(
    "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
    "--distpath", $DistDir, "--workpath", $WorkDir, $Spec
)
$Exe = Join-Path $Bundle "$AppName.exe"
$Cli = Join-Path $Bundle "$AppName-cli.exe"
foreach ($program in @($Exe, $Cli)) {
    if (-not (Test-Path $program)) { throw "PyInstaller did not produce $program" }
}
$bundleBytes = (Get-ChildItem -Recurse -File $Bundle | Measure-Object -Property Length -Sum).Sum
Write-Host ("==> bundle: {0} ({1:N1} MB)" -f $Bundle, ($bundleBytes / 1MB))

# --- self-test ---------------------------------------------------------------------------

if (-not $SkipSelfTest) {
    Write-Host "==> self-test of the bundle"
    $scratchName = "hebi-desktop-selftest-" + [guid]::NewGuid()
    $scratch = Join-Path ([System.IO.Path]::GetTempPath()) $scratchName
    New-Item -ItemType Directory -Path $scratch | Out-Null
    $saved = @{}
    foreach ($name in @("HEBI_DESKTOP_DATA_DIR", "QT_QPA_PLATFORM", "PYTHONUTF8")) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name, "Process")
    }
    try {
        # A throw-away data folder, so the check never touches the user's own data or logs.
        $env:HEBI_DESKTOP_DATA_DIR = Join-Path $scratch "data"
        $env:QT_QPA_PLATFORM = "offscreen"
        $env:PYTHONUTF8 = "1"
        $stdout = Join-Path $scratch "stdout.txt"
        $stderr = Join-Path $scratch "stderr.txt"
        # The console companion prints like any console program; its output goes to files so
        # that it is read back in the right encoding whatever the console's code page.
        $process = Start-Process -FilePath $Cli -ArgumentList "--self-test" -NoNewWindow `
            -PassThru -RedirectStandardOutput $stdout -RedirectStandardError $stderr
        $null = $process.Handle  # keeps the exit code readable once the process has ended
        if (-not $process.WaitForExit(600000)) {
            Stop-Process -Id $process.Id -Force
            throw "self-test did not finish in 10 minutes"
        }
        $process.WaitForExit()
        $exitCode = $process.ExitCode
        $output = (Read-OutputFile $stdout) + (Read-OutputFile $stderr)
        Write-Host $output
        if ($exitCode -ne 0) {
            throw "self-test failed with exit code $exitCode"
        }
        if ($output -notmatch ("(?m)^" + $SuccessMark)) {
            throw "self-test exited 0 but did not print its success line"
        }
    } finally {
        foreach ($name in $saved.Keys) {
            [Environment]::SetEnvironmentVariable($name, $saved[$name], "Process")
        }
        Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
    }
}

# --- code signing (optional) ----------------------------------------------------------

$SignArguments = @()
if ($env:HEBI_SIGN_PFX) {
    $SignArguments = @("/f", $env:HEBI_SIGN_PFX, "/p", $env:HEBI_SIGN_PFX_PASSWORD)
} elseif ($env:HEBI_SIGN_THUMBPRINT) {
    $SignArguments = @("/sha1", $env:HEBI_SIGN_THUMBPRINT)
}
$SignToolPath = ""
if ($SignArguments) {
    if ($SignTool) {
        $SignToolPath = $SignTool
    } elseif (Get-Command "signtool.exe" -ErrorAction SilentlyContinue) {
        $SignToolPath = (Get-Command "signtool.exe").Source
    } else {
        $kits = Join-Path ${env:ProgramFiles(x86)} "Windows Kits\10\bin"
        $found = Get-ChildItem -Path $kits -Recurse -Filter "signtool.exe" -ErrorAction SilentlyContinue |
            Where-Object { $_.FullName -match "\\x64\\" } | Sort-Object FullName | Select-Object -Last 1
        if (-not $found) { throw "signing is configured but signtool.exe was not found (-SignTool)" }
        $SignToolPath = $found.FullName
    }
    $TimestampUrl = if ($env:HEBI_SIGN_TIMESTAMP_URL) { $env:HEBI_SIGN_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }
    $SignArguments = @("sign", "/fd", "sha256", "/tr", $TimestampUrl, "/td", "sha256") + $SignArguments
    Write-Host "==> signing the programs with $SignToolPath"
    foreach ($program in @($Exe, $Cli)) {
        Invoke-Checked $SignToolPath ($SignArguments + @($program))
    }
}

# --- installer ---------------------------------------------------------------------------

if ($SkipInstaller) {
    Write-Host "==> skipping the installer (-SkipInstaller)"
    exit 0
}
$IsccPath = Find-Iscc
$PinnedInno = (Select-String -Path (Join-Path $Root "installer\constraints.txt") `
    -Pattern "^# inno-setup ([0-9.]+) ").Matches[0].Groups[1].Value
$IsccVersion = (Get-Item $IsccPath).VersionInfo.ProductVersion
if (-not $IsccVersion.StartsWith($PinnedInno)) {
    Write-Warning "Inno Setup $IsccVersion found; the project pins $PinnedInno (installer\constraints.txt)"
}
# Our own Chinese messages must be complete for this compiler: no half-English wizard.
Invoke-Checked $Py @(
    "installer\check_isl.py", (Join-Path (Split-Path -Parent $IsccPath) "Default.isl"),
    "installer\ChineseSimplified.isl"
)
$IsccArguments = @("/DAppVersion=$Version", "/DBundleDir=$Bundle", "/DOutputDir=$DistDir")
if ($SignToolPath) {
    # ISCC runs this for setup.exe and the uninstaller; $f is the file, $q a double quote.
    $quoted = ($SignArguments | ForEach-Object { '$q' + $_ + '$q' }) -join " "
    $IsccArguments += @("/Shebisign=`$q$SignToolPath`$q $quoted `$q`$f`$q", "/DSignTool=hebisign")
}
# Any compiler warning fails the build, as in the Linux check (an English message, a
# missing file): ISCC itself only prints them.
Write-Host "> $IsccPath $($IsccArguments -join ' ') $IssFile"
$isccOutput = & $IsccPath ($IsccArguments + @($IssFile)) 2>&1 | ForEach-Object { Write-Host $_; "$_" }
if ($LASTEXITCODE -ne 0) { throw "ISCC failed with exit code $LASTEXITCODE" }
$warnings = @($isccOutput | Where-Object { $_ -match "^\s*Warning" })
if ($warnings) { throw "Inno Setup warned:`n$($warnings -join "`n")" }
$Setup = Join-Path $DistDir "$AppName-setup-$Version.exe"
if (-not (Test-Path $Setup)) { throw "Inno Setup did not produce $Setup" }
Write-Host ("==> installer: {0} ({1:N1} MB)" -f $Setup, ((Get-Item $Setup).Length / 1MB))
