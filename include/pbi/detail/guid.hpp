// pbi-async — random (version 4) GUIDs for client-request-id headers.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace pbi::detail {

/// A random RFC 4122 version-4 GUID in lower case, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
/// Request ids need uniqueness, not secrecy: a per-thread generator seeded from
/// std::random_device avoids both a lock and a system call per request.
inline std::string make_guid_v4() {
    thread_local std::mt19937_64 engine = [] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    }();
    std::uint64_t hi = engine();
    std::uint64_t lo = engine();
    hi = (hi & ~std::uint64_t{0xF000}) | std::uint64_t{0x4000};           // version 4
    lo = (lo & ~(std::uint64_t{0xC} << 60)) | (std::uint64_t{0x8} << 60); // variant 10xx

    static constexpr char digits[] = "0123456789abcdef";
    std::string out(36, '-');
    std::size_t pos = 0;
    auto put = [&](std::uint64_t v, int nibbles) {
        for (int i = nibbles - 1; i >= 0; --i) {
            if (pos == 8 || pos == 13 || pos == 18 || pos == 23)
                ++pos;
            out[pos++] = digits[(v >> (4 * i)) & 0xF];
        }
    };
    put(hi, 16);
    put(lo, 16);
    return out;
}

} // namespace pbi::detail
