// Bodies for pbi/powerbi/retry_policy.hpp.
#pragma once

#include <pbi/powerbi/retry_policy.hpp>

#include <algorithm>

namespace pbi::powerbi {

namespace detail {

// base * 2^n, lengthened by up to 20 % by `jitter`; the exponent is capped so that a large
// max_attempts cannot overflow.
inline std::chrono::steady_clock::duration doubled_backoff(std::chrono::milliseconds base, int n,
                                                           double jitter) {
    jitter = std::clamp(jitter, 0.0, 1.0);
    const auto doubled = std::max(base, std::chrono::milliseconds::zero()) * (1LL << std::clamp(n, 0, 20));
    const auto spread = std::chrono::duration<double, std::milli>(doubled) * (1.0 + 0.2 * jitter);
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(spread);
}

} // namespace detail

PBI_DECL retry_decision plan_retry(int status, std::string_view method,
                                   std::optional<std::chrono::seconds> retry_after, retry_counts done,
                                   std::chrono::steady_clock::time_point now,
                                   std::chrono::steady_clock::time_point deadline, double jitter,
                                   const retry_options& options) {
    const bool idempotent = method == "GET";
    const bool server_error = status == 500 || status == 502 || status == 503 || status == 504;

    retry_decision d;
    std::chrono::steady_clock::duration wait{};
    if (status == 429 || (status == 503 && retry_after && idempotent)) {
        d.rule = retry_rule::throttled;
        if (done.throttled >= options.max_throttle_retries)
            return d;
        wait = retry_after ? std::chrono::steady_clock::duration(*retry_after)
                           : detail::doubled_backoff(options.base_delay, done.throttled, jitter);
    } else if (server_error && idempotent) {
        d.rule = retry_rule::server_error;
        if (done.server_errors + 1 >= options.max_attempts)
            return d;
        wait = detail::doubled_backoff(options.base_delay, done.server_errors, jitter);
        if (retry_after)
            wait = std::max(wait, std::chrono::steady_clock::duration(*retry_after));
    } else {
        return d;
    }

    // Compared as a remaining time, so that a huge Retry-After cannot overflow `now + wait`.
    if (deadline <= now || wait >= deadline - now) {
        d.past_deadline = true;
        return d;
    }
    d.retry = true;
    d.delay = wait;
    return d;
}

} // namespace pbi::powerbi
