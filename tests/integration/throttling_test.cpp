// Throttling and retries in powerbi::client against the emulator: 429 honours Retry-After
// within the caller's deadline and fails at once beyond it, 5xx on a GET is retried with a
// bounded back-off, a POST is never retried on 5xx, and a burst of calls stays within the
// per-origin connection limit.
#include "support.hpp"

#include <pbi/http/date.hpp>
#include <pbi/testing/connect_proxy.hpp>
#include <pbi/testing/faults.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using pbi_test::as_tuple;
using pbi_test::stack;
using namespace std::chrono_literals;

namespace {

struct outcome {
    std::error_code ec;
    pbi::diagnostics diag;
    std::size_t items = 0;
};

asio::awaitable<outcome> list_reports(pbi::powerbi::client& pc, std::string workspace) {
    outcome o;
    auto [ec, reports] = co_await pc.async_list_reports(workspace, o.diag, as_tuple);
    o.ec = ec;
    o.items = reports.size();
    co_return o;
}

asio::awaitable<outcome> generate_token(pbi::powerbi::client& pc, pbi::powerbi::report_ref ref) {
    outcome o;
    pbi::powerbi::generate_token_request body;
    auto [ec, token] = co_await pc.async_generate_report_token(ref, body, o.diag, as_tuple);
    o.ec = ec;
    o.items = token.token.empty() ? 0 : 1;
    co_return o;
}

// Cancels the call `after` into it (terminal cancellation through the completion token's slot).
asio::awaitable<outcome> list_reports_cancelled_after(pbi::powerbi::client& pc, std::string workspace,
                                                      std::chrono::milliseconds after) {
    asio::cancellation_signal signal;
    asio::steady_timer timer(co_await asio::this_coro::executor, after);
    auto fire = [&signal](std::error_code ec) {
        if (!ec)
            signal.emit(asio::cancellation_type::terminal);
    };
    timer.async_wait(fire);
    outcome o;
    auto token = asio::bind_cancellation_slot(signal.slot(), as_tuple);
    auto [ec, reports] = co_await pc.async_list_reports(workspace, o.diag, token);
    timer.cancel();
    o.ec = ec;
    co_return o;
}

// Short back-offs so that the tests wait tens of milliseconds, and a deadline per call.
pbi::powerbi::client_options fast_retries(const stack& s, std::chrono::seconds deadline) {
    auto o = stack::powerbi_options(s.emu); // retry.base_delay = 20 ms
    o.call.timeout = deadline;
    return o;
}

pbi::testing::fault throttled(std::string retry_after) {
    pbi::testing::fault f;
    f.status = 429;
    f.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    if (!retry_after.empty())
        f.headers.emplace_back("Retry-After", std::move(retry_after));
    f.body = R"({"error":{"code":"TooManyRequests","message":"slow down"}})";
    return f;
}

pbi::testing::fault status_only(int status) {
    pbi::testing::fault f;
    f.status = status;
    f.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    f.body = R"({"error":{"code":"InternalServerError","message":"An error has occurred."}})";
    return f;
}

std::string first_workspace(const stack& s) {
    return s.emu.workspaces().at(0).id;
}

} // namespace

TEST_CASE("a 429 with Retry-After 1 within a 5 s deadline is waited for once, then succeeds",
          "[throttling]") {
    stack s;
    pbi::powerbi::client pc(s.http, s.tokens, fast_retries(s, 5s));
    s.emu.inject_fault("reports", throttled("1"));
    auto o = s.run(list_reports(pc, first_workspace(s)));
    CHECK_FALSE(o.ec);
    CHECK(o.items > 0);
    CHECK(s.emu.request_count("reports") == 2);
    CHECK(o.diag.attempts == 2);
    const auto c = pc.counters();
    CHECK(c.throttled == 1);
    CHECK(c.retries == 1);
    CHECK(c.requests == 2);
    CHECK(c.past_deadline == 0);
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("a 429 whose Retry-After outlasts the deadline fails at once with the delay", "[throttling]") {
    stack s;
    pbi::powerbi::client pc(s.http, s.tokens, fast_retries(s, 30s));
    s.emu.inject_fault("reports", throttled("3600"));
    auto o = s.run(list_reports(pc, first_workspace(s)));
    CHECK(o.ec == pbi::errc::throttled);
    CHECK(o.ec == pbi::condition::throttled);
    CHECK(s.emu.request_count("reports") == 1); // no second request, no sleeping
    REQUIRE(o.diag.retry_after.has_value());
    CHECK(*o.diag.retry_after == 3600s);
    CHECK(o.diag.attempts == 1);
    CHECK(o.diag.http_status == 429);
    CHECK(o.diag.message.find("3600 s") != std::string::npos);
    CHECK(o.diag.message.find("3600 s") == o.diag.message.rfind("3600 s")); // said once
    CHECK(o.diag.message.find("deadline") != std::string::npos);
    CHECK(o.diag.hint.find("3600 s") != std::string::npos);
    CHECK(pc.counters().past_deadline == 1);
    CHECK(pc.counters().retries == 0);
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("a 500 on a GET is sent again after a back-off and succeeds", "[throttling]") {
    stack s;
    pbi::powerbi::client pc(s.http, s.tokens, fast_retries(s, 5s));
    s.emu.inject_fault("reports", status_only(500));
    auto o = s.run(list_reports(pc, first_workspace(s)));
    CHECK_FALSE(o.ec);
    CHECK(o.items > 0);
    CHECK(s.emu.request_count("reports") == 2);
    CHECK(o.diag.attempts == 2);
    CHECK(pc.counters().server_errors == 1);
    CHECK(pc.counters().retries == 1);
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("a gateway's 502 HTML page on every attempt ends in a typed error after the bounded attempts",
          "[throttling]") {
    stack s;
    auto options = fast_retries(s, 5s);
    REQUIRE(options.retry.max_attempts == 3); // the default
    pbi::powerbi::client pc(s.http, s.tokens, options);
    pbi::testing::fault html;
    html.status = 502;
    html.headers = {{"Content-Type", "text/html"}};
    html.body = "<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>";
    s.emu.inject_fault("reports", html, 5);
    auto o = s.run(list_reports(pc, first_workspace(s)));
    CHECK(o.ec == pbi::errc::server_error);
    CHECK(o.ec == pbi::condition::retryable);
    CHECK(s.emu.request_count("reports") == 3);
    CHECK(o.diag.attempts == 3);
    CHECK(o.diag.http_status == 502);
    CHECK(o.diag.source == pbi::failure_source::powerbi);
    CHECK(o.diag.message.find("HTML") != std::string::npos);
    CHECK_FALSE(o.diag.request_id.empty());
    CHECK(pbi_test::printed(o.diag).find("attempts: 3") != std::string::npos);
    CHECK(pc.counters().retries == 2);
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("a 500 on a POST (GenerateToken) is not sent again", "[throttling]") {
    stack s;
    pbi::powerbi::client pc(s.http, s.tokens, fast_retries(s, 5s));
    s.emu.inject_fault("generate_token", status_only(500));
    const pbi::powerbi::report_ref ref{pbi::testing::seed::lobby_screens_workspace,
                                       pbi::testing::seed::welcome_board_report};
    auto o = s.run(generate_token(pc, ref));
    CHECK(o.ec == pbi::errc::server_error);
    CHECK(s.emu.request_count("generate_token") == 1);
    CHECK(o.diag.attempts == 1);
    CHECK(pc.counters().retries == 0);
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("a 503 with Retry-After on a POST is not sent again either", "[throttling]") {
    stack s;
    pbi::powerbi::client pc(s.http, s.tokens, fast_retries(s, 5s));
    auto unavailable = status_only(503);
    unavailable.headers.emplace_back("Retry-After", "0");
    s.emu.inject_fault("generate_token", unavailable);
    const pbi::powerbi::report_ref ref{pbi::testing::seed::lobby_screens_workspace,
                                       pbi::testing::seed::welcome_board_report};
    auto o = s.run(generate_token(pc, ref));
    CHECK(o.ec == pbi::errc::server_error);
    CHECK(s.emu.request_count("generate_token") == 1);
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("a 429 on a POST (GenerateToken) is waited for and sent again: the server did not run it",
          "[throttling]") {
    stack s;
    pbi::powerbi::client pc(s.http, s.tokens, fast_retries(s, 5s));
    s.emu.inject_fault("generate_token", throttled("0"));
    const pbi::powerbi::report_ref ref{pbi::testing::seed::lobby_screens_workspace,
                                       pbi::testing::seed::welcome_board_report};
    auto o = s.run(generate_token(pc, ref));
    CHECK_FALSE(o.ec);
    CHECK(o.items == 1);
    CHECK(s.emu.request_count("generate_token") == 2);
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("a Retry-After given as an HTTP-date is obeyed", "[throttling]") {
    stack s;
    pbi::powerbi::client pc(s.http, s.tokens, fast_retries(s, 30s));

    SECTION("an hour ahead: beyond the deadline, the call fails at once") {
        s.emu.inject_fault("reports",
                           throttled(pbi::http::format_http_date(std::chrono::system_clock::now() + 1h)));
        auto o = s.run(list_reports(pc, first_workspace(s)));
        CHECK(o.ec == pbi::errc::throttled);
        CHECK(s.emu.request_count("reports") == 1);
        REQUIRE(o.diag.retry_after.has_value());
        CHECK(*o.diag.retry_after > 3590s); // measured from the answer's Date header
        CHECK(*o.diag.retry_after <= 3600s);
    }
    SECTION("now (or just past, by the answer's Date): sent again at once") {
        s.emu.inject_fault("reports",
                           throttled(pbi::http::format_http_date(std::chrono::system_clock::now())));
        auto o = s.run(list_reports(pc, first_workspace(s)));
        CHECK_FALSE(o.ec);
        CHECK(s.emu.request_count("reports") == 2);
        CHECK(o.diag.attempts == 2);
    }
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("a garbage Retry-After counts as absent: short back-offs, bounded", "[throttling]") {
    stack s;
    auto options = fast_retries(s, 5s);
    REQUIRE(options.retry.max_throttle_retries == 3); // the default
    pbi::powerbi::client pc(s.http, s.tokens, options);

    SECTION("once: the back-off retry succeeds") {
        s.emu.inject_fault("reports", throttled("soon, maybe"));
        auto o = s.run(list_reports(pc, first_workspace(s)));
        CHECK_FALSE(o.ec);
        CHECK(s.emu.request_count("reports") == 2);
    }
    SECTION("every time: three retries, then the throttled error without a delay") {
        s.emu.inject_fault("reports", throttled("<html>"), 10);
        auto o = s.run(list_reports(pc, first_workspace(s)));
        CHECK(o.ec == pbi::errc::throttled);
        CHECK(s.emu.request_count("reports") == 4);
        CHECK(o.diag.attempts == 4);
        CHECK_FALSE(o.diag.retry_after.has_value());
        CHECK(pc.counters().throttled == 4);
        CHECK(pc.counters().retries == 3);
    }
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("cancelling a call while it waits for Retry-After ends it with operation_aborted", "[throttling]") {
    stack s;
    pbi::powerbi::client pc(s.http, s.tokens, fast_retries(s, 30s));
    s.run(s.tokens.async_get()); // signed in first: the cancellation lands in the wait, not the sign-in
    s.emu.inject_fault("reports", throttled("20"));
    auto o = s.run(list_reports_cancelled_after(pc, first_workspace(s), 500ms));
    CHECK(o.ec == asio::error::operation_aborted);
    CHECK(s.emu.request_count("reports") == 1);
    CHECK(o.diag.http_status == 429);
    CHECK(o.diag.message.find("cancelled") != std::string::npos);
    CHECK(s.leaves_nothing_behind()); // no timer, coroutine or connection left
}

TEST_CASE("300 concurrent calls from one client open at most 8 connections and all succeed", "[throttling]") {
    stack s;
    REQUIRE(s.http.counters().connections_opened == 0);
    pbi::testing::fault slow;
    slow.status = 200;
    slow.body = R"({"value":[]})";
    slow.delay = 10ms; // keeps connections busy, so that callers queue for them
    constexpr int calls = 300;
    s.emu.inject_fault("reports", slow, calls);

    int finished = 0, ok = 0;
    auto done = [&](std::exception_ptr e, outcome o) {
        ++finished;
        if (!e && !o.ec)
            ++ok;
        if (finished == calls)
            s.io.stop();
    };
    const std::string workspace = first_workspace(s);
    for (int i = 0; i < calls; ++i)
        asio::co_spawn(s.io, list_reports(s.powerbi, workspace), done);
    s.io.restart();
    s.io.run_for(60s);

    CHECK(finished == calls);
    CHECK(ok == calls);
    CHECK(s.emu.request_count("reports") == calls);
    CHECK(s.emu.connection_count() <= 8);             // the token request shares the origin's pool
    CHECK(s.http.counters().connections_opened == 8); // the burst filled the pool, and no more
    CHECK(s.leaves_nothing_behind());                 // no timer, coroutine or connection left
}

TEST_CASE("a burst through a CONNECT proxy opens at most 8 tunnels", "[throttling]") {
    asio::io_context io;
    pbi::testing::emulator emu;
    pbi::testing::connect_proxy proxy;
    auto ho = stack::http_options(emu);
    pbi::http::proxy_config through;
    std::error_code ec;
    through.server = pbi::http::proxy_server::parse(proxy.url(), ec);
    REQUIRE_FALSE(ec);
    through.bypass_loopback = false; // loopback normally goes directly
    ho.proxy = through;
    pbi::http::client http(io.get_executor(), ho);
    pbi::entra::token_source tokens(http, pbi_test::ropc_for(emu), stack::token_options(emu));
    pbi::powerbi::client pc(http, tokens, stack::powerbi_options(emu));

    pbi::testing::fault slow;
    slow.status = 200;
    slow.body = R"({"value":[]})";
    slow.delay = 10ms;
    constexpr int calls = 100;
    emu.inject_fault("reports", slow, calls);

    int finished = 0, ok = 0;
    auto done = [&](std::exception_ptr e, outcome o) {
        ++finished;
        if (!e && !o.ec)
            ++ok;
        if (finished == calls)
            io.stop();
    };
    const std::string workspace = emu.workspaces().at(0).id;
    for (int i = 0; i < calls; ++i)
        asio::co_spawn(io, list_reports(pc, workspace), done);
    io.run_for(60s);
    tokens.shutdown();

    CHECK(finished == calls);
    CHECK(ok == calls);
    CHECK(proxy.tunnel_count() <= 8);
    CHECK(emu.connection_count() <= 8);
    CHECK(http.counters().tunnels_opened == http.counters().connections_opened);
}
