// powerbi::plan_retry: which answers powerbi::client sends again, after how long, and when the
// deadline makes it give up at once.
#include <pbi/powerbi/retry_policy.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

using namespace std::chrono_literals;
using pbi::powerbi::plan_retry;
using pbi::powerbi::retry_counts;
using pbi::powerbi::retry_decision;
using pbi::powerbi::retry_options;
using pbi::powerbi::retry_rule;

namespace {

const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
const std::optional<std::chrono::seconds> no_retry_after;

retry_options fast() {
    retry_options o;
    o.base_delay = 100ms;
    return o;
}

// An answer 30 s before the deadline, no retries made yet, no jitter.
retry_decision after(int status, const char* method, std::optional<std::chrono::seconds> retry_after,
                     retry_counts done = {}, std::chrono::steady_clock::duration left = 30s,
                     double jitter = 0.0) {
    return plan_retry(status, method, retry_after, done, t0, t0 + left, jitter, fast());
}

} // namespace

TEST_CASE("a 429 whose Retry-After fits before the deadline is waited for, then sent again") {
    const auto d = after(429, "GET", 1s, {}, 5s);
    CHECK(d.rule == retry_rule::throttled);
    CHECK(d.retry);
    CHECK(d.delay == 1s);
    CHECK_FALSE(d.past_deadline);
}

TEST_CASE("a 429 whose Retry-After outlasts the deadline fails at once") {
    const auto d = after(429, "GET", 3600s, {}, 30s);
    CHECK(d.rule == retry_rule::throttled);
    CHECK_FALSE(d.retry);
    CHECK(d.past_deadline);
}

TEST_CASE("a Retry-After that ends exactly at the deadline does not fit") {
    const auto d = after(429, "GET", 30s, {}, 30s);
    CHECK_FALSE(d.retry);
    CHECK(d.past_deadline);
}

TEST_CASE("a deadline already passed allows no retry") {
    const auto d = plan_retry(429, "GET", 0s, {}, t0, t0 - 1s, 0.0, fast());
    CHECK_FALSE(d.retry);
    CHECK(d.past_deadline);
}

TEST_CASE("a Retry-After of 0 retries at once") {
    const auto d = after(429, "GET", 0s);
    CHECK(d.retry);
    CHECK(d.delay == 0s);
}

TEST_CASE("a 429 on a POST is retried too: the server did not run the request") {
    const auto d = after(429, "POST", 2s);
    CHECK(d.rule == retry_rule::throttled);
    CHECK(d.retry);
    CHECK(d.delay == 2s);
}

TEST_CASE("a 429 without Retry-After backs off from the base delay, doubling") {
    CHECK(after(429, "GET", no_retry_after, {0, 0}).delay == 100ms);
    CHECK(after(429, "GET", no_retry_after, {1, 0}).delay == 200ms);
    CHECK(after(429, "GET", no_retry_after, {2, 0}).delay == 400ms);
    CHECK(after(429, "GET", no_retry_after, {0, 0}).rule == retry_rule::throttled);
}

TEST_CASE("throttle retries are bounded") {
    retry_options o = fast();
    o.max_throttle_retries = 3;
    CHECK(plan_retry(429, "GET", 1s, {2, 0}, t0, t0 + 30s, 0.0, o).retry);
    const auto d = plan_retry(429, "GET", 1s, {3, 0}, t0, t0 + 30s, 0.0, o);
    CHECK_FALSE(d.retry);
    CHECK_FALSE(d.past_deadline); // out of retries, not out of time
}

TEST_CASE("5xx on a GET is retried with exponential back-off") {
    for (int status : {500, 502, 503, 504}) {
        CAPTURE(status);
        const auto first = after(status, "GET", no_retry_after, {0, 0});
        CHECK(first.rule == retry_rule::server_error);
        CHECK(first.retry);
        CHECK(first.delay == 100ms);
        CHECK(after(status, "GET", no_retry_after, {0, 1}).delay == 200ms);
    }
}

TEST_CASE("jitter lengthens a back-off by up to 20 percent, never shortens it") {
    const auto low = after(500, "GET", no_retry_after, {}, 30s, 0.0).delay;
    const auto mid = after(500, "GET", no_retry_after, {}, 30s, 0.5).delay;
    const auto high = after(500, "GET", no_retry_after, {}, 30s, 0.999).delay;
    CHECK(low == 100ms);
    CHECK(mid == 110ms);
    CHECK(high > 119ms);
    CHECK(high < 120ms);
}

TEST_CASE("5xx retries stop after max_attempts requests") {
    retry_options o = fast();
    o.max_attempts = 3;
    CHECK(plan_retry(502, "GET", no_retry_after, {0, 0}, t0, t0 + 30s, 0.0, o).retry);
    CHECK(plan_retry(502, "GET", no_retry_after, {0, 1}, t0, t0 + 30s, 0.0, o).retry);
    const auto third = plan_retry(502, "GET", no_retry_after, {0, 2}, t0, t0 + 30s, 0.0, o);
    CHECK(third.rule == retry_rule::server_error);
    CHECK_FALSE(third.retry);
    CHECK_FALSE(third.past_deadline);

    o.max_attempts = 1; // never retry
    CHECK_FALSE(plan_retry(500, "GET", no_retry_after, {0, 0}, t0, t0 + 30s, 0.0, o).retry);
}

TEST_CASE("a 5xx back-off that would not end before the deadline is not waited for") {
    const auto d = after(500, "GET", no_retry_after, {}, 50ms);
    CHECK_FALSE(d.retry);
    CHECK(d.past_deadline);
}

TEST_CASE("5xx on a POST is never retried: GenerateToken, ExportTo and refreshes are not idempotent") {
    for (int status : {500, 502, 503, 504}) {
        CAPTURE(status);
        const auto d = after(status, "POST", no_retry_after);
        CHECK(d.rule == retry_rule::none);
        CHECK_FALSE(d.retry);
        CHECK_FALSE(d.past_deadline);
    }
    CHECK_FALSE(after(503, "POST", 1s).retry); // Retry-After does not make a POST safe to repeat
}

TEST_CASE("a 503 with Retry-After on a GET waits it like a 429") {
    const auto d = after(503, "GET", 2s);
    CHECK(d.rule == retry_rule::throttled);
    CHECK(d.retry);
    CHECK(d.delay == 2s);
    CHECK(after(503, "GET", 3600s).past_deadline);
}

TEST_CASE("a 500 with a Retry-After longer than the back-off waits the Retry-After") {
    const auto d = after(500, "GET", 3s);
    CHECK(d.rule == retry_rule::server_error);
    CHECK(d.delay == 3s);
}

TEST_CASE("other statuses are never retried") {
    for (int status : {200, 400, 401, 403, 404, 409, 501, 505}) {
        CAPTURE(status);
        const auto d = after(status, "GET", 1s);
        CHECK(d.rule == retry_rule::none);
        CHECK_FALSE(d.retry);
        CHECK_FALSE(d.past_deadline);
    }
}

TEST_CASE("a huge Retry-After does not overflow the deadline arithmetic") {
    const auto d = after(429, "GET", std::chrono::seconds(2147483647));
    CHECK_FALSE(d.retry);
    CHECK(d.past_deadline);
}

TEST_CASE("a huge max_attempts does not overflow the back-off") {
    retry_options o = fast();
    o.max_attempts = 1000;
    const auto d = plan_retry(500, "GET", no_retry_after, {0, 900}, t0, t0 + 24h * 365, 0.0, o);
    CHECK(d.rule == retry_rule::server_error);
    CHECK(d.delay == 100ms * (1 << 20));
}
