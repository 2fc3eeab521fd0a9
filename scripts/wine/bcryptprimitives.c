/*
 * ProcessPrng for Wine 8, which has no bcryptprimitives.dll.
 *
 * Rust's standard library (1.78 and later) takes every random byte on Windows from
 * ProcessPrng in bcryptprimitives.dll: HashMap seeds, temporary names. Real Windows (10 and
 * later) has it; Debian 12's Wine 8.0 does not, so every Rust program fails to start under it.
 * This DLL provides that one function, on BCryptGenRandom (which Wine has), and is placed next
 * to the test programs by scripts/wine/run.sh. Nothing shipped uses it: the Windows builds run
 * on Windows' own DLL.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
