/*
 * Start-up prefault for the Native AOT executable of crosscloud.
 *
 * kubectl starts `crosscloud eks-token` for every credential refresh and scripts call `crosscloud token` in loops, so
 * the process's start-up is its cost. Before Main runs, the .NET runtime "rehydrates" the executable's data: it
 * expands about 3 MB of type data into the writable, zero-filled (bss) part of the image, one 4 KiB page at a time,
 * and each first write to a page is a page fault. Measured with `perf stat`, those faults were half of the ~1,500 faults
 * of an `eks-token` run and cost about 8 ms on the virtual machines the benchmark runs on.
 *
 * This constructor runs before the runtime starts (ELF .init_array) and asks the kernel to map that zero-filled range
 * in one call: MADV_POPULATE_WRITE (Linux 5.14+) faults every page in without a trap per page. On an older kernel
 * madvise fails and nothing changes. Only the executable's own zero-filled range is touched (never its file-backed or
 * read-only pages), and only pages the runtime writes anyway. MADV_HUGEPAGE is deliberately not asked for: where
 * transparent huge pages are "madvise", it would let a fragmented node stall this process in direct compaction, and
 * a credential plugin must not trade a predictable millisecond for an unpredictable pause.
 *
 * Built and linked only by a Native AOT publish for Linux (src/CrossCloudAuth.Cli/CrossCloudAuth.Cli.csproj);
 * `-p:CrossCloudStartupPrefault=false` leaves it out. benchmarks/cli/run.sh measures its effect.
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static int prefault_zero_filled(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    for (int i = 0; i < info->dlpi_phnum; i++)
    {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type != PT_LOAD || !(segment->p_flags & PF_W) || segment->p_memsz <= segment->p_filesz)
        {
            continue;
        }

        /* The whole pages past the file-backed part: the kernel's zero-filled mapping (.bss, .hydrated). */
        uintptr_t start = (info->dlpi_addr + segment->p_vaddr + segment->p_filesz + 4095) & ~(uintptr_t)4095;
        uintptr_t end = (info->dlpi_addr + segment->p_vaddr + segment->p_memsz) & ~(uintptr_t)4095;
        if (end > start)
        {
            madvise((void *)start, end - start, MADV_POPULATE_WRITE);
        }
    }

    return 1; /* The first object is the executable itself: stop there. */
}

__attribute__((constructor)) static void crosscloud_startup_prefault(void)
{
    dl_iterate_phdr(prefault_zero_filled, 0);
}
