; Inno Setup 6 script for hebi-desktop (鹤壁乡镇台账): a per-user installer, no administrator
; rights needed.
;
; installer\build_windows.ps1 builds the PyInstaller bundle first and then runs
;
;     ISCC.exe /DAppVersion=<version> installer\hebi-desktop.iss
;
; Input:  dist\hebi-desktop\ (the one-folder bundle; another folder with /DBundleDir=...)
; Output: dist\hebi-desktop-setup-<version>.exe (another folder with /DOutputDir=...)
;
; This file is UTF-8 with a byte order mark, which Inno Setup 6.0 to 6.2 need to read the
; Chinese text correctly (6.3 and later accept UTF-8 without it). Keep the mark when editing.

#ifndef AppVersion
  #error AppVersion is not defined: run ISCC with /DAppVersion=x.y.z (build_windows.ps1 does)
#endif
#ifndef BundleDir
  #define BundleDir AddBackslash(SourcePath) + "..\dist\hebi-desktop"
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourcePath) + "..\dist"
#endif

#define AppName "鹤壁乡镇台账"
#define AppExeName "hebi-desktop.exe"
#define AppCliExeName "hebi-desktop-cli.exe"

#if !FileExists(AddBackslash(BundleDir) + AppExeName) || !FileExists(AddBackslash(BundleDir) + AppCliExeName)
  #error The PyInstaller bundle is missing: build dist\hebi-desktop\ first (build_windows.ps1)
#endif

; The project pins Inno Setup 6.4.1 (installer/constraints.txt names every pinned build
; input). Its compiler ships no Simplified Chinese messages, so the project keeps its own,
; complete for 6.4.1: installer/ChineseSimplified.isl (installer/check_isl.py compares it
; with the compiler's Default.isl). Without it the build stops: never an English wizard.
#if Ver < EncodeVer(6, 4, 1)
  #error Inno Setup 6.4.1 or later is needed (the project pins 6.4.1)
#endif
#define ChineseMessages AddBackslash(SourcePath) + "ChineseSimplified.isl"
#if !FileExists(ChineseMessages)
  #error installer\ChineseSimplified.isl is missing: the setup wizard would be in English
#endif

; Each version keeps its libraries in its own folder (PyInstaller's contents directory,
; set in hebi-desktop.spec), so an upgrade writes the new folder beside the old one and
; removes the old one only after every new file is in place (see [Code]).
#define ContentsDir "_internal-" + AppVersion
#if !DirExists(AddBackslash(BundleDir) + ContentsDir)
  #error The bundle has no _internal-<version> folder: rebuild it with installer\hebi-desktop.spec
#endif

; Release builds compress hardest. The Wine check (check_windows_installer.sh) compiles two
; setups of the whole bundle and sets HEBI_SETUP_COMPRESSION=lzma2/fast to stay quick; the
; defines themselves are the same as build_windows.ps1's.
#define Compression GetEnv("HEBI_SETUP_COMPRESSION")
#if Compression == ""
  #define Compression "lzma2/max"
#endif

; Must equal APP_MUTEX_NAME in hebi_desktop/process_guard.py: every running instance of the
; program (window or console companion) holds this named mutex.
#define AppMutexName "HebiDesktop.Running.A3921E9B-7C4B-4FC3-BD14-EAD6011729A7"


[Setup]
; The AppId must never change: it is how a new version finds and upgrades the old one.
AppId={{A3921E9B-7C4B-4FC3-BD14-EAD6011729A7}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
; Per user: installs into the user's own Programs folder, so no administrator is needed.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\hebi-desktop
DisableDirPage=auto
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
DirExistsWarning=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 or later.
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=hebi-desktop-setup-{#AppVersion}
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression={#Compression}
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
SetupLogging=yes
; Upgrading or uninstalling while the program runs: Setup and the uninstaller find the
; program's mutex and ask the clerk to close it (in silent mode they stop instead), before
; any file is changed. The Restart Manager is a second line for files held by other programs.
AppMutex={#AppMutexName}
CloseApplications=yes
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=no
; Version information of setup.exe itself (Explorer's "Details" tab, SmartScreen).
VersionInfoVersion={#AppVersion}
VersionInfoProductVersion={#AppVersion}
VersionInfoTextVersion={#AppVersion}
VersionInfoProductTextVersion={#AppVersion}
VersionInfoDescription={#AppName} 安装程序
VersionInfoProductName={#AppName}
VersionInfoCompany={#AppName}
VersionInfoCopyright=MIT License
; Code signing (see README, 安装包): build_windows.ps1 defines SignTool only when a
; certificate is configured, and passes the matching /S"hebisign=signtool ..." to ISCC.
#ifdef SignTool
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Languages]
Name: "chinesesimplified"; MessagesFile: "{#ChineseMessages}"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; The libraries first, into this version's own folder; then the two programs. Nothing of the
; previous version is deleted here: if a file cannot be written, Setup rolls back the new
; files it wrote and the previous version's library folder is still there.
Source: "{#BundleDir}\{#ContentsDir}\*"; DestDir: "{app}\{#ContentsDir}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#BundleDir}\{#AppExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\{#AppCliExeName}"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
; After an upgrade the new version migrates the database on its first start; the program copies
; the database to its backups folder before any migration runs, so an upgrade can be undone.
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Uninstalling deliberately keeps the user's data. The database, its backups and the logs live
; in the user data folder %LOCALAPPDATA%\hebi-desktop (see hebi_desktop/paths.py), not in the
; install folder {app} = %LOCALAPPDATA%\Programs\hebi-desktop, and nothing here touches them.
; Only the install folder itself is removed, and only if it is empty.
Type: dirifempty; Name: "{app}"

[Code]
{ After every file of this version is in place, remove the library folders of earlier
  versions ("_internal" in the first release, "_internal-<version>" since). Doing it
  here, and not in [InstallDelete], means an upgrade that stops half-way (the program was
  running, a file was locked, the disk was full) never leaves the old version broken. }
procedure RemoveOldContentsFolders();
var
  Found: TFindRec;
  AppDir: String;
begin
  AppDir := ExpandConstant('{app}');
  if FindFirst(AppDir + '\_internal*', Found) then
  begin
    try
      repeat
        if ((Found.Attributes and FILE_ATTRIBUTE_DIRECTORY) <> 0) and
           (CompareText(Found.Name, '{#ContentsDir}') <> 0) then
        begin
          Log('Removing the library folder of an earlier version: ' + Found.Name);
          if not DelTree(AppDir + '\' + Found.Name, True, True, True) then
            Log('Could not remove ' + Found.Name + ' completely; it is no longer used');
        end;
      until not FindNext(Found);
    finally
      FindClose(Found);
    end;
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
    RemoveOldContentsFolders();
end;
