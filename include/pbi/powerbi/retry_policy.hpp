// pbi-async — when powerbi::client sends a call again: a pure function of the answer, the
// retries already made and the times (no clock and no I/O of its own).
#pragma once

#include <pbi/config.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace pbi::powerbi {

/// How powerbi::client retries throttled and failed calls (client_options::retry).
struct retry_options {
    /// Attempts of a GET that meets 500, 502, 503 or 504, the first one included (1: never retry).
    int max_attempts = 3;
    /// The back-off before the first retry after a 5xx; it doubles for each further one, and
    /// jitter lengthens each by up to 20 %. Also the first wait after a 429 without Retry-After.
    std::chrono::milliseconds base_delay{500};
    /// Waits for a 429 (or a GET's 503 with Retry-After) one call makes at most.
    int max_throttle_retries = 3;
};

/// The rule plan_retry() applied to an answer.
enum class retry_rule {
    none,         ///< a status that is never retried (2xx, 4xx other than 429, 5xx on a POST, 501, ...)
    throttled,    ///< 429 (any method), or 503 with Retry-After on a GET: wait what the server asked
    server_error, ///< 500, 502, 503, 504 on a GET: exponential back-off
};

/// Retries one call has already made, per rule.
struct retry_counts {
    int throttled = 0;
    int server_errors = 0;
};

/// What to do after one answer.
struct retry_decision {
    retry_rule rule = retry_rule::none;
    bool retry = false;                          ///< send the request again after `delay`
    std::chrono::steady_clock::duration delay{}; ///< the wait before the next attempt
    /// The wait the rule needs (the server's Retry-After, or the back-off) would not end before
    /// the deadline: the call fails now instead of sleeping into a certain timeout.
    bool past_deadline = false;
};

/// Decides whether powerbi::client sends a request again after a non-2xx answer.
///
/// - 429, any method (the server refused the request before doing anything), and 503 with a
///   Retry-After on a GET: wait `retry_after` when it is known, else base_delay doubled per
///   earlier throttle retry; at most max_throttle_retries times.
/// - 500, 502, 503, 504 on a GET (idempotent): wait base_delay * 2^(server_errors) * (1 + 0.2 *
///   jitter) — or the Retry-After when that is longer — while fewer than max_attempts requests
///   were sent. POSTs are never retried on 5xx (GenerateToken, ExportTo and dataset refreshes are
///   not idempotent: the first request may have taken effect).
/// - The wait must end before `deadline` (`now` + delay < `deadline`); otherwise no retry and
///   `past_deadline` is set.
///
/// `retry_after` is the answer's Retry-After in seconds (garbage already dropped), `done` the
/// retries this call made so far, `jitter` a number in [0, 1).
PBI_DECL retry_decision plan_retry(int status, std::string_view method,
                                   std::optional<std::chrono::seconds> retry_after, retry_counts done,
                                   std::chrono::steady_clock::time_point now,
                                   std::chrono::steady_clock::time_point deadline, double jitter,
                                   const retry_options& options);

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/retry_policy.ipp>
#endif
