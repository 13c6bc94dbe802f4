// refresh_policy: refresh times and back-off as pure functions of times (DESIGN.md refresh rules).
#include <pbi/refresh/refresh_policy.hpp>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using pbi::refresh::backoff;
using pbi::refresh::next_attempt_delay;
using pbi::refresh::plan_refresh;

namespace {
const pbi::refresh::time_point t0 = pbi::refresh::time_point{} + 1000h;
}

TEST_CASE("a 75-minute token refreshes 5 minutes before expiry and is served until 60 s before") {
    auto s = plan_refresh(t0, 75min, std::nullopt, 0.0);
    CHECK(s.expires_at == t0 + 75min);
    CHECK(s.deadline == t0 + 75min - 60s);
    CHECK(s.refresh_at == t0 + 70min);
}

TEST_CASE("a token living 2 hours or more refreshes at half-life") {
    auto s = plan_refresh(t0, 24h, std::nullopt, 0.0);
    CHECK(s.refresh_at == t0 + 12h);
    CHECK(s.deadline == t0 + 24h - 60s);
}

TEST_CASE("refresh_in from the server sets the refresh time but never past the 5-minute margin") {
    CHECK(plan_refresh(t0, 24h, std::chrono::duration_cast<pbi::refresh::duration>(6h), 0.0).refresh_at ==
          t0 + 6h);
    CHECK(
        plan_refresh(t0, 60min, std::chrono::duration_cast<pbi::refresh::duration>(59min), 0.0).refresh_at ==
        t0 + 55min);
}

TEST_CASE("a 4-minute token is refreshed at half its life, not on every call") {
    auto s = plan_refresh(t0, 4min, std::nullopt, 0.0);
    CHECK(s.refresh_at == t0 + 2min);
    CHECK(s.deadline == t0 + 4min - 24s);
    CHECK(s.refresh_at > s.received);
}

TEST_CASE("jitter only moves the refresh earlier, by at most 10 % of the lifetime") {
    for (double j : {0.0, 0.25, 0.5, 0.99, 1.0, 7.0, -3.0}) {
        auto plain = plan_refresh(t0, 80min, std::nullopt, 0.0);
        auto s = plan_refresh(t0, 80min, std::nullopt, j);
        CHECK(s.refresh_at <= plain.refresh_at);
        CHECK(plain.refresh_at - s.refresh_at <= 8min);
        CHECK(s.refresh_at >= t0);
        CHECK(s.deadline == plain.deadline);
    }
}

TEST_CASE("every lifetime keeps received <= refresh_at <= deadline < expires_at") {
    for (std::chrono::seconds life : std::initializer_list<std::chrono::seconds>{
             1s, 10s, 59s, 4min, 10min, 59min, 60min, 90min, 2h, 25h}) {
        for (double j : {0.0, 0.5, 0.999}) {
            auto s = plan_refresh(t0, life, std::nullopt, j);
            CHECK(s.received <= s.refresh_at);
            CHECK(s.refresh_at <= s.deadline);
            CHECK(s.deadline < s.expires_at);
        }
    }
}

TEST_CASE("a zero or negative lifetime is due at once") {
    auto s = plan_refresh(t0, -5s, std::nullopt, 0.3);
    CHECK(s.expires_at == t0);
    CHECK(s.deadline == t0);
    CHECK(s.refresh_at == t0);
}

TEST_CASE("back-off starts at 30 s, doubles, is capped and jitter only lengthens it") {
    CHECK(backoff(1, 0.0) == 30s);
    CHECK(backoff(2, 0.0) == 60s);
    CHECK(backoff(3, 0.0) == 120s);
    CHECK(backoff(10, 0.0) == 10min);
    CHECK(backoff(1000, 0.0) == 10min);
    CHECK(backoff(0, 0.0) == 30s);
    CHECK(backoff(1, 0.5) == 33s);
    CHECK(backoff(10, 0.999) <= 12min);
}

TEST_CASE("Retry-After wins over a shorter back-off and is capped at one hour") {
    CHECK(next_attempt_delay(1, std::chrono::duration_cast<pbi::refresh::duration>(120s), 0.0) == 120s);
    CHECK(next_attempt_delay(1, std::chrono::duration_cast<pbi::refresh::duration>(5s), 0.0) == 30s);
    CHECK(next_attempt_delay(1, std::chrono::duration_cast<pbi::refresh::duration>(5h), 0.0) == 1h);
    CHECK(next_attempt_delay(1, std::chrono::duration_cast<pbi::refresh::duration>(-5s), 0.0) == 30s);
    CHECK(next_attempt_delay(4, std::nullopt, 0.0) == 240s);
}
