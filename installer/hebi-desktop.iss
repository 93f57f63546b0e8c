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

#if !FileExists(AddBackslash(BundleDir) + AppExeName)
  #error The PyInstaller bundle is missing: build dist\hebi-desktop\ first (build_windows.ps1)
#endif

; Simplified Chinese wizard. ChineseSimplified.isl is an official translation only in recent
; Inno Setup releases; older 6.x releases ship it among the unofficial translations
; (Files\Languages\Unofficial in the Inno Setup sources, or the translations page of the Inno
; Setup website), so it may be missing from the compiler's Languages folder. It is looked for
; there first, then next to this script; without it the wizard falls back to English.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define ChineseMessages "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
  #define ChineseMessages AddBackslash(SourcePath) + "ChineseSimplified.isl"
#else
  #pragma warning "ChineseSimplified.isl not found; the setup wizard will be in English. Put it next to hebi-desktop.iss."
#endif

#if Ver >= EncodeVer(6, 3, 0)
  #define Arch64 "x64compatible"
#else
  #define Arch64 "x64"
#endif

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
ArchitecturesAllowed={#Arch64}
ArchitecturesInstallIn64BitMode={#Arch64}
; Qt 6 needs Windows 10 or later.
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=hebi-desktop-setup-{#AppVersion}
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
SetupLogging=yes
; Upgrading in place: the running program holds its files (and the database) open, so Setup
; asks to close it first through the Restart Manager; the new version is started at the end.
CloseApplications=yes
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=no

[Languages]
#ifdef ChineseMessages
Name: "chinesesimplified"; MessagesFile: "{#ChineseMessages}"
#else
Name: "english"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; Remove the previous version's bundle before copying the new one, so no library or Qt plugin
; of the old version is left behind to be loaded by the new one. This is program files only.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

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
