/* Stand-in for hebi-desktop.exe in the Wine check of the installer (check_windows_installer.sh).
 *
 * The check installs the Linux bundle's files with this tiny Windows program in place of the
 * real PyInstaller exe, which can only be built on Windows. Like the real program it holds
 * the named mutex that Setup looks for (AppMutex in hebi-desktop.iss and APP_MUTEX_NAME in
 * hebi_desktop/process_guard.py; a test keeps the three equal).
 *
 *   hebi-desktop.exe                      exits at once (code 0)
 *   hebi-desktop.exe --hold-mutex SECONDS holds the mutex, prints "holding", then sleeps
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--hold-mutex") == 0) {
        HANDLE mutex = CreateMutexW(NULL, FALSE, L"HebiDesktop.Running.A3921E9B-7C4B-4FC3-BD14-EAD6011729A7");
        if (mutex == NULL) {
            fprintf(stderr, "CreateMutexW failed: %lu\n", GetLastError());
            return 1;
        }
        printf("holding\n");
        fflush(stdout);
        Sleep((DWORD)atoi(argv[2]) * 1000);
        CloseHandle(mutex);
    }
    return 0;
}
