// token_source against the emulator: one token request however many wait, refresh ahead of
// expiry on a manual clock, back-off, the refresh-token fall-back, and no retry of a wrong password.
#include "support.hpp"

#include <pbi/testing/manual_clock.hpp>

#include <catch2/catch.hpp>

#include <asio/strand.hpp>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;
using clock_type = pbi::testing::manual_clock;
using manual_source = pbi::entra::basic_token_source<clock_type>;
using pbi_test::as_tuple;

namespace {

pbi::entra::token_source_options options_for(const pbi::testing::emulator& emu) {
    auto o = pbi_test::stack::token_options(emu);
    o.cache.random = [] {
        return 0.0;
    };
    return o;
}

/// An SDK stack on the manual clock, on the test's own thread.
struct manual_stack {
    asio::io_context io;
    pbi::testing::emulator emu{pbi_test::emulator_on_clock<clock_type>()};
    pbi::http::client http{io.get_executor(), pbi_test::stack::http_options(emu)};
    manual_source tokens{http, pbi_test::ropc_for(emu), options_for(emu)};

    /// Runs the io_context until `done()` or 10 s of real time.
    template <class Pred>
    bool run_until(Pred done) {
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (!done() && std::chrono::steady_clock::now() < give_up) {
            io.restart();
            io.run_for(5ms);
        }
        return done();
    }

    /// One async_get, run to completion.
    std::pair<std::error_code, manual_source::token_handle> get(pbi::diagnostics& d) {
        std::optional<std::pair<std::error_code, manual_source::token_handle>> out;
        tokens.async_get(d, [&](std::error_code ec, manual_source::token_handle t) { out.emplace(ec, t); });
        run_until([&] { return out.has_value(); });
        REQUIRE(out);
        return *out;
    }

    /// Moves the manual clock and lets due timers and the requests they start finish.
    void advance(clock_type::duration d) {
        clock_type::advance(d);
        const auto until = std::chrono::steady_clock::now() + 300ms;
        run_until([&] { return std::chrono::steady_clock::now() >= until; });
    }
};

} // namespace

TEST_CASE("10 000 coroutines on two threads ask for a cold token: one token request", "[concurrency]") {
    pbi::testing::emulator_options eo;
    eo.latency = 50ms;
    asio::io_context io(2);
    pbi::testing::emulator emu(eo);
    pbi::http::client http(asio::make_strand(io), pbi_test::stack::http_options(emu));
    pbi::entra::token_source tokens(http, pbi_test::ropc_for(emu), pbi_test::stack::token_options(emu));
    constexpr int n = 10'000;
    std::atomic<int> done{0}, ok{0};
    std::atomic<const pbi::entra::access_token*> first{nullptr};
    std::atomic<int> different{0};
    auto one = [&]() -> asio::awaitable<void> {
        pbi::diagnostics d;
        auto [ec, t] = co_await tokens.async_get(d, as_tuple);
        if (!ec && t) {
            ++ok;
            const pbi::entra::access_token* expected = nullptr;
            if (!first.compare_exchange_strong(expected, t.get()) && expected->token != t->token)
                ++different;
        }
        if (++done == n)
            io.stop();
    };
    for (int i = 0; i < n; ++i)
        asio::co_spawn(io, one(), asio::detached);
    std::thread second([&] { io.run_for(30s); });
    io.run_for(30s);
    second.join();
    CHECK(done == n);
    CHECK(ok == n);
    CHECK(different == 0);
    CHECK(emu.request_count("token") == 1);
    CHECK(tokens.counters().grant.token_requests == 1);
}

TEST_CASE("the token is refreshed ahead of expiry with nobody asking, and the old one served meanwhile") {
    manual_stack s;
    pbi::diagnostics d;
    auto [ec, first] = s.get(d);
    REQUIRE_FALSE(ec);
    s.advance(54min);
    CHECK(s.emu.request_count("token") == 1);
    CHECK(s.tokens.try_get()->token == first->token);
    s.advance(2min); // past refresh_at (55 min for a 60-minute token)
    CHECK(s.emu.request_count("token") == 2);
    REQUIRE(s.tokens.try_get() != nullptr);
    CHECK(s.tokens.try_get()->token != first->token);
    CHECK(s.tokens.counters().grant.refresh_grants == 1); // the refresh token was used
}

TEST_CASE("while a valid token is served, 500 then 429 Retry-After 120 then success: waits obeyed, no extra "
          "requests") {
    manual_stack s;
    pbi::diagnostics d;
    auto [ec, first] = s.get(d);
    REQUIRE_FALSE(ec);
    pbi::testing::fault server_error;
    server_error.status = 500;
    server_error.body = R"({"error":"temporarily_unavailable","error_codes":[90006]})";
    pbi::testing::fault throttled;
    throttled.status = 429;
    throttled.headers = {{"Retry-After", "120"}};
    throttled.body = R"({"error":"temporarily_unavailable","error_codes":[90055]})";
    s.emu.inject_fault("token", server_error);
    s.advance(55min + 1s); // refresh 1: 500 -> back-off 30 s
    CHECK(s.emu.request_count("token") == 2);
    CHECK(s.tokens.try_get()->token == first->token);
    s.emu.inject_fault("token", throttled);
    s.advance(29s);
    CHECK(s.emu.request_count("token") == 2);
    s.advance(2s); // refresh 2: 429, Retry-After 120 s
    CHECK(s.emu.request_count("token") == 3);
    CHECK(s.tokens.try_get()->token == first->token);
    s.advance(118s);
    CHECK(s.emu.request_count("token") == 3);
    s.advance(3s); // refresh 3 succeeds
    CHECK(s.emu.request_count("token") == 4);
    CHECK(s.tokens.try_get()->token != first->token);
}

TEST_CASE("a cold source whose first request gets a 503 still serves its waiters within their deadline") {
    manual_stack s;
    pbi::testing::fault unavailable;
    unavailable.status = 503;
    unavailable.body = "<html><body>Service Unavailable</body></html>";
    unavailable.headers = {{"Content-Type", "text/html"}};
    s.emu.inject_fault("token", unavailable);
    std::optional<std::error_code> result;
    pbi::diagnostics d;
    s.tokens.async_get(d, [&](std::error_code ec, auto) { result = ec; });
    // The 503 answered and the retry scheduled (before that, moving the clock would leave the
    // retry's timer behind it: a slow machine, or ThreadSanitizer, gets there late).
    REQUIRE(s.run_until([&] { return s.tokens.counters().cache.backoffs == 1; }));
    CHECK(s.emu.request_count("token") == 1);
    s.advance(2s); // the cold retry
    s.run_until([&] { return result.has_value(); });
    REQUIRE(result);
    CHECK_FALSE(*result);
    CHECK(s.emu.request_count("token") == 2);
}

TEST_CASE("a rejected refresh token falls back to the password grant exactly once") {
    manual_stack s;
    pbi::diagnostics d;
    REQUIRE_FALSE(s.get(d).first);
    s.emu.revoke_refresh_tokens();
    s.advance(56min);
    CHECK(s.emu.request_count("token") == 3); // password, rejected refresh, password
    auto c = s.tokens.counters().grant;
    CHECK(c.refresh_grants == 1);
    CHECK(c.refresh_fallbacks == 1);
    CHECK(s.tokens.try_get() != nullptr);
    s.advance(56min); // the new refresh token works
    CHECK(s.emu.request_count("token") == 4);
    CHECK(s.tokens.counters().grant.refresh_fallbacks == 1);
}

TEST_CASE("a wrong password is never retried automatically: an hour of callers sends a handful, then a fixed "
          "password works") {
    manual_stack s;
    auto wrong = pbi_test::ropc_for(s.emu);
    wrong.password = pbi::secret("wrong-password");
    s.tokens.update_credential(wrong);
    int failures = 0;
    for (int minute = 0; minute < 60; ++minute) {
        for (int i = 0; i < 3; ++i) { // callers every 20 s
            pbi::diagnostics d;
            auto [ec, t] = s.get(d);
            if (ec == pbi::errc::invalid_credentials)
                ++failures;
            clock_type::advance(20s);
        }
    }
    CHECK(failures == 180);
    CHECK(s.emu.request_count("token") <= 5);
    CHECK(s.emu.request_count("token") >= 3);

    s.tokens.update_credential(pbi_test::ropc_for(s.emu));
    pbi::diagnostics d;
    auto [ec, t] = s.get(d);
    CHECK_FALSE(ec);
}

TEST_CASE("200 concurrent 403 TokenExpired answers cause one token refresh") {
    pbi_test::stack s;
    const auto ws = s.emu.workspaces().at(0).id;
    s.run(s.powerbi.async_list_reports(ws));
    s.emu.expire_all_tokens();
    constexpr int callers = 200;
    int ok = 0, done = 0;
    auto one = [&]() -> asio::awaitable<void> {
        pbi::diagnostics d;
        auto [ec, reports] = co_await s.powerbi.async_list_reports(ws, d, as_tuple);
        if (!ec && !reports.empty())
            ++ok;
        if (++done == callers)
            s.io.stop();
    };
    for (int i = 0; i < callers; ++i)
        asio::co_spawn(s.io, one(), asio::detached);
    s.io.restart();
    s.io.run_for(30s);
    CHECK(done == callers);
    CHECK(ok == callers);
    CHECK(s.emu.request_count("token") == 2);
    CHECK(s.tokens.counters().cache.invalidations == 1);
}

TEST_CASE("a token source destroyed with waiters completes them with operation_aborted") {
    asio::io_context io;
    pbi::testing::emulator_options eo;
    eo.latency = 200ms;
    pbi::testing::emulator emu(eo);
    pbi::http::client http(io.get_executor(), pbi_test::stack::http_options(emu));
    std::vector<std::error_code> results;
    std::vector<pbi::diagnostics> diags(20);
    {
        pbi::entra::token_source tokens(http, pbi_test::ropc_for(emu), pbi_test::stack::token_options(emu));
        for (auto& d : diags)
            tokens.async_get(d, [&](std::error_code ec, auto) { results.push_back(ec); });
        io.run_for(20ms);
    }
    io.restart();
    io.run_for(500ms);
    REQUIRE(results.size() == diags.size());
    for (auto& ec : results)
        CHECK(ec == asio::error::operation_aborted);
}
