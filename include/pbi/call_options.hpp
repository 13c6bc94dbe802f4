// pbi-async — per-call options: the deadline every operation honours.
#pragma once

#include <chrono>
#include <optional>

namespace pbi {

/// Options for one call. The deadline covers everything the call does: connecting, TLS,
/// writing, waiting, reading, and any retry the call makes on its own.
struct call_options {
    /// Time allowed for the call when no absolute deadline is set.
    std::chrono::steady_clock::duration timeout = std::chrono::seconds(30);
    /// Absolute deadline; wins over `timeout` when set.
    std::optional<std::chrono::steady_clock::time_point> deadline;

    std::chrono::steady_clock::time_point effective_deadline() const {
        return deadline ? *deadline : std::chrono::steady_clock::now() + timeout;
    }
};

} // namespace pbi
