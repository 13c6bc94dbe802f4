// pbi-async — configuration: header-only vs separate compilation, version, Asio gates.
#pragma once

#include <asio/version.hpp>

#define PBI_VERSION_MAJOR 0
#define PBI_VERSION_MINOR 1
#define PBI_VERSION_PATCH 0
#define PBI_VERSION_STRING "0.1.0"

// Header-only by default: non-template functions are `inline` and their bodies (impl/*.ipp)
// are included by the headers. Define PBI_SEPARATE_COMPILATION everywhere and include
// <pbi/src.hpp> in exactly one translation unit to compile them once instead.
#if defined(PBI_SEPARATE_COMPILATION)
#define PBI_DECL
#else
#define PBI_DECL inline
#define PBI_HEADER_ONLY 1
#endif

#if ASIO_VERSION < 102201
#error "pbi-async needs standalone Asio 1.22.1 or newer"
#endif

namespace pbi {
/// The library's version as "major.minor.patch"; also sent in every User-Agent.
inline constexpr const char* version_string = PBI_VERSION_STRING;
} // namespace pbi
