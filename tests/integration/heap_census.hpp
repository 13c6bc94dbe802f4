// A census of the test process's heap, for the soak test's "no growth" checks: live
// operator-new allocations (counted by replacing the global allocation functions in
// heap_census.cpp) and, when the allocator reports it, glibc's bytes in use (mallinfo2; zero
// under AddressSanitizer, which replaces malloc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pbi_test {

struct heap_census {
    std::int64_t live_allocations = 0; ///< operator new calls not yet matched by a delete
    std::size_t bytes_in_use = 0;      ///< mallinfo2().uordblks, or 0 when unavailable

    static heap_census take();
};

} // namespace pbi_test
