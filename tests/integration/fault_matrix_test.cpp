// The fault matrix (issue 7): every way a flaky network, gateway or server can misbehave ends
// in a typed error or a correct recovery, within the caller's deadline, without a crash or a
// hang, and leaves no timer, coroutine or connection behind (stack::leaves_nothing_behind).
// Faults already covered elsewhere are not repeated here: connection refused, TLS and
// certificate failures, a server that never answers, close_mid_body, Content-Length larger
// than the body, an oversized header block, an HTML 502, malformed JSON and a 429 with
// Retry-After in seconds on Power BI (end_to_end_test.cpp, http_client_test.cpp); a pooled
// keep-alive connection closed by the server between requests (http_client_test.cpp).
#include "support.hpp"

#include <pbi/http/date.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using pbi_test::as_tuple;
using pbi_test::stack;
using namespace std::chrono_literals;
using action = pbi::testing::fault::action;

namespace {

struct outcome {
    std::error_code ec;
    pbi::diagnostics diag;
    std::size_t items = 0;
    std::chrono::steady_clock::duration took{};
};

asio::awaitable<outcome> list_reports(pbi::powerbi::client& pc, std::string workspace) {
    outcome o;
    const auto start = std::chrono::steady_clock::now();
    auto [ec, reports] = co_await pc.async_list_reports(workspace, o.diag, as_tuple);
    o.ec = ec;
    o.items = reports.size();
    o.took = std::chrono::steady_clock::now() - start;
    co_return o;
}

asio::awaitable<outcome> get_token(pbi::entra::token_source& tokens, pbi::refresh::get_options options) {
    outcome o;
    const auto start = std::chrono::steady_clock::now();
    auto [ec, token] = co_await tokens.async_get(options, o.diag, as_tuple);
    o.ec = ec;
    o.items = token ? 1 : 0;
    o.took = std::chrono::steady_clock::now() - start;
    co_return o;
}

/// A 200 answer on the reports route, written verbatim; the emulator closes cleanly after it.
pbi::testing::fault raw_answer(std::string bytes) {
    pbi::testing::fault f;
    f.raw = std::move(bytes);
    return f;
}

const std::string reports_json = R"({"value":[{"id":"1","name":"a","reportType":"PowerBIReport"}]})";

outcome reports_after(stack& s, const pbi::testing::fault& f, std::size_t times = 1) {
    // Sign in first, so the fault hits the Power BI request and not the token request.
    auto warm = s.run(get_token(s.tokens, {}));
    REQUIRE_FALSE(warm.ec);
    s.emu.inject_fault("reports", f, times);
    return s.run(list_reports(s.powerbi, s.emu.workspaces().at(0).id));
}

pbi::testing::fault token_answer(int status, std::string body) {
    pbi::testing::fault f;
    f.status = status;
    f.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    f.body = std::move(body);
    return f;
}

pbi::refresh::get_options within(std::chrono::milliseconds timeout) {
    pbi::refresh::get_options o;
    o.timeout = timeout;
    return o;
}

} // namespace

TEST_CASE("a connection reset before any response byte is a typed transport error", "[fault]") {
    stack s;
    pbi::testing::fault reset;
    reset.what = action::close_before_response;
    // Twice: a GET on a reused keep-alive connection is retried once on a fresh one.
    auto o = reports_after(s, reset, 2);
    CHECK(o.ec == pbi::condition::transport);
    CHECK(o.diag.source == pbi::failure_source::transport);
    CHECK(o.took < 10s);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a connection reset once before the response is recovered by the one retry", "[fault]") {
    stack s;
    pbi::testing::fault reset;
    reset.what = action::close_before_response;
    auto o = reports_after(s, reset, 1);
    CHECK_FALSE(o.ec);
    CHECK(o.items > 0);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a connection reset in the middle of the header block is a typed transport error", "[fault]") {
    stack s;
    pbi::testing::fault cut;
    cut.what = action::close_mid_headers;
    cut.status = 200;
    cut.body = reports_json;
    auto o = reports_after(s, cut, 2);
    CHECK(o.ec == pbi::condition::transport);
    CHECK(o.took < 10s);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a token request whose connection resets is a typed error or a recovery within the deadline",
          "[fault]") {
    stack s;
    pbi::testing::fault reset;
    reset.what = action::close_before_response;
    s.emu.inject_fault("token", reset, 1);
    auto o = s.run(get_token(s.tokens, within(5s)));
    if (o.ec)
        CHECK(o.ec == pbi::condition::transport);
    else
        CHECK(o.items == 1);
    CHECK(o.took < 6s);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a response without Content-Length ends at EOF and is used", "[fault]") {
    stack s;
    auto o = reports_after(
        s, raw_answer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + reports_json));
    CHECK_FALSE(o.ec);
    CHECK(o.items == 1);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a chunked body cut in the middle of a chunk is partial_message", "[fault]") {
    stack s;
    auto o = reports_after(s, raw_answer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                         "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"value\":[{\"id\""));
    CHECK(o.ec == pbi::errc::partial_message);
    CHECK(o.ec == pbi::condition::transport);
    CHECK(o.diag.hint.find("cut off or mangled") != std::string::npos); // an operator knows what to check
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("an invalid chunk size is bad_chunk", "[fault]") {
    stack s;
    auto o = reports_after(s, raw_answer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                         "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"));
    CHECK(o.ec == pbi::errc::bad_chunk);
    CHECK_FALSE(o.diag.hint.empty());
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a chunked answer scripted by the emulator is decoded", "[fault]") {
    stack s;
    pbi::testing::fault chunked;
    chunked.status = 200;
    chunked.chunked = true;
    chunked.body = reports_json;
    auto o = reports_after(s, chunked);
    CHECK_FALSE(o.ec);
    CHECK(o.items == 1);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("100 Continue before the real status is skipped", "[fault]") {
    stack s;
    auto o = reports_after(
        s, raw_answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(reports_json.size()) + "\r\n\r\n" + reports_json));
    CHECK_FALSE(o.ec);
    CHECK(o.items == 1);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a body over the client's limit is body_limit_exceeded", "[fault]") {
    asio::io_context io;
    pbi::testing::emulator emu;
    auto ho = stack::http_options(emu);
    ho.limits.max_body_bytes = 64 * 1024; // token answers are ~2 KB
    pbi::http::client http(io.get_executor(), ho);
    pbi::entra::token_source tokens(http, pbi_test::ropc_for(emu), stack::token_options(emu));
    pbi::powerbi::client pc(http, tokens, pbi::powerbi::client_options{emu.origin()});
    pbi::testing::fault big;
    big.status = 200;
    big.body = R"({"value":[],"padding":")" + std::string(100 * 1024, 'x') + "\"}";
    big.chunked = GENERATE(false, true); // with Content-Length, then chunked
    emu.inject_fault("reports", big);
    outcome o;
    asio::co_spawn(io, list_reports(pc, emu.workspaces().at(0).id), [&](std::exception_ptr, outcome r) {
        o = std::move(r);
        io.stop();
    });
    io.run_for(30s);
    CHECK(o.ec == pbi::errc::body_limit_exceeded);
    CHECK(o.diag.message.find("larger than this call accepts (65536 bytes)") != std::string::npos);
    CHECK(o.diag.hint.find("max_body_bytes") != std::string::npos);
    tokens.shutdown(); // nothing may be left running: the io_context runs dry
    http.close_idle();
    io.restart();
    io.run_for(5s);
    CHECK(io.stopped());
}

TEST_CASE("token answers with wrong JSON types are unexpected_json, not a crash", "[fault]") {
    const std::string body =
        GENERATE(as<std::string>{},
                 R"({"token_type":"Bearer","expires_in":{},"access_token":"eyJ0eXAiOiJKV1QifQ.e30.c2ln"})",
                 R"({"token_type":"Bearer","expires_in":3600})",                     // no access_token
                 R"({"token_type":"Bearer","expires_in":3600,"access_token":null})", // null token
                 R"({"token_type":"Bearer","expires_in":3600,"access_token":7})", "[1,2,3]");
    CAPTURE(body);
    stack s;
    s.emu.inject_fault("token", token_answer(200, body), 50);
    auto o = s.run(get_token(s.tokens, within(20s)));
    // A 2xx that is not a token answer will not heal within seconds: the caller hears at once,
    // not after retrying until its deadline.
    CHECK(o.ec == pbi::errc::unexpected_json);
    CHECK(o.took < 5s);
    CHECK(s.emu.request_count("token") == 1);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("an empty 200 token answer is a typed error", "[fault]") {
    stack s;
    pbi::testing::fault empty;
    empty.status = 200;
    empty.headers = {{"Content-Type", "application/json"}, {"Content-Length", "0"}};
    s.emu.inject_fault("token", empty, 50);
    auto o = s.run(get_token(s.tokens, within(20s)));
    REQUIRE(o.ec);
    CHECK((o.ec == pbi::errc::malformed_json || o.ec == pbi::errc::unexpected_json ||
           o.ec == pbi::errc::unexpected_content_type));
    CHECK(o.took < 5s);
    CHECK(s.emu.request_count("token") == 1); // failed at once, not retried towards the deadline
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("after a 2xx that is not a token answer, the source retries in the background and recovers",
          "[fault]") {
    stack s;
    s.emu.inject_fault("token", token_answer(200, "[1,2,3]"), 1);
    auto first = s.run(get_token(s.tokens, within(20s)));
    CHECK(first.ec == pbi::errc::unexpected_json);
    auto second = s.run(get_token(s.tokens, within(20s))); // waits for the next attempt (back-off)
    CHECK_FALSE(second.ec);
    CHECK(s.emu.request_count("token") == 2);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a 429 on the token endpoint whose Retry-After exceeds the deadline fails fast with the delay",
          "[fault]") {
    stack s;
    auto throttled = token_answer(429, R"({"error":"temporarily_unavailable","error_codes":[50196]})");
    const bool dated = GENERATE(false, true); // seconds, then an HTTP-date
    CAPTURE(dated);
    throttled.headers.emplace_back(
        "Retry-After", dated ? pbi::http::format_http_date(std::chrono::system_clock::now() + 1h) : "3600");
    s.emu.inject_fault("token", throttled, 5);
    auto o = s.run(get_token(s.tokens, within(3s)));
    CHECK(o.ec == pbi::condition::throttled);
    REQUIRE(o.diag.retry_after.has_value());
    CHECK(*o.diag.retry_after > 3500s);
    CHECK(*o.diag.retry_after <= 3600s);
    CHECK(o.took < 2s); // did not sleep towards the deadline
    CHECK(s.emu.request_count("token") == 1);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a 503 on the token endpoint with a garbage Retry-After is retried within the deadline",
          "[fault]") {
    stack s;
    auto unavailable = token_answer(503, R"({"error":"temporarily_unavailable"})");
    unavailable.headers.emplace_back("Retry-After", "soon, maybe");
    s.emu.inject_fault("token", unavailable, 1);
    auto o = s.run(get_token(s.tokens, within(10s)));
    if (o.ec) {
        CHECK(o.ec == pbi::condition::retryable);
        CHECK_FALSE(o.diag.retry_after.has_value());
    } else {
        CHECK(o.items == 1);
        CHECK(s.emu.request_count("token") == 2);
    }
    CHECK(o.took < 11s);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a Power BI 429 reports Retry-After given as an HTTP-date, and ignores garbage", "[fault]") {
    stack s;
    pbi::testing::fault throttled;
    throttled.status = 429;
    throttled.body = R"({"error":{"code":"TooManyRequests","message":"slow down"}})";
    const bool dated = GENERATE(true, false); // an HTTP-date, then garbage
    CAPTURE(dated);
    throttled.headers = {
        {"Retry-After",
         dated ? pbi::http::format_http_date(std::chrono::system_clock::now() + 10min) : "<html>"}};
    // Garbage counts as absent: the 429 is then retried 3 times after short back-offs.
    auto o = reports_after(s, throttled, dated ? 1 : 4);
    CHECK(o.ec == pbi::errc::throttled);
    CHECK(o.diag.http_status == 429);
    if (dated) {
        REQUIRE(o.diag.retry_after.has_value());
        CHECK(*o.diag.retry_after > 9min);
        CHECK(*o.diag.retry_after <= 10min);
    } else {
        CHECK_FALSE(o.diag.retry_after.has_value());
    }
    CHECK(o.took < 5s);
    CHECK(s.leaves_nothing_behind());
}

TEST_CASE("a token endpoint that never answers fails the caller at its own deadline", "[fault]") {
    pbi::testing::emulator_options eo;
    pbi::testing::emulator emu(eo);
    asio::io_context io;
    pbi::http::client http(io.get_executor(), stack::http_options(emu));
    auto to = stack::token_options(emu);
    to.fetch_options.timeout = 1500ms; // each token request (25 s by default); a retry at 2.5 s
    pbi::entra::token_source tokens(http, pbi_test::ropc_for(emu), to);
    pbi::testing::fault hang;
    hang.what = pbi::testing::fault::action::never_respond;
    emu.inject_fault("token", hang, 10);
    outcome o;
    asio::co_spawn(io, get_token(tokens, within(3s)), [&](std::exception_ptr, outcome r) {
        o = std::move(r);
        io.stop();
    });
    io.run_for(30s);
    CHECK(o.ec == pbi::errc::timeout);
    CHECK(o.took >= 3s);
    CHECK(o.took < 3800ms); // not when the second request gives up (4 s)
    // Shutting down cancels the request still waiting for an answer: a CLI or a host that
    // stops does not hang on until that request's own deadline.
    const auto stopping = std::chrono::steady_clock::now();
    tokens.shutdown();
    http.close_idle();
    io.restart();
    io.run_for(5s);
    CHECK(io.stopped());
    CHECK((std::chrono::steady_clock::now() - stopping < 500ms));
}
