// pbi-async — per-call options: the deadline every operation honours.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

namespace pbi {

/// Options for one call. The deadline covers everything the call does: connecting, TLS,
/// writing, waiting, reading, and any retry the call makes on its own.
struct call_options {
    /// Time allowed for the call when no absolute deadline is set.
    std::chrono::steady_clock::duration timeout = std::chrono::seconds(30);
    /// Absolute deadline; wins over `timeout` when set.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    /// The largest response body this call accepts (decoded), when it differs from the HTTP
    /// client's `limits.max_body_bytes` (64 MiB unless set): an exported file may be larger.
    /// Larger answers fail with errc::body_limit_exceeded.
    std::optional<std::size_t> max_response_bytes;

    /// Options with only a timeout: `call_options::with_timeout(std::chrono::seconds(25))`.
    static call_options with_timeout(std::chrono::steady_clock::duration t) {
        call_options o;
        o.timeout = t;
        return o;
    }

    std::chrono::steady_clock::time_point effective_deadline() const {
        return deadline ? *deadline : std::chrono::steady_clock::now() + timeout;
    }
};

} // namespace pbi
