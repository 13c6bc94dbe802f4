// The main job end to end over real TLS on loopback: sign in, list workspaces and reports,
// read pages, mint an embed token — and the failures a host meets on the way.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

using pbi_test::as_tuple;
using pbi_test::failure;
using pbi_test::printed;
using pbi_test::sign_in_failure;
using pbi_test::stack;
using namespace std::chrono_literals;

namespace {

struct listing {
    std::vector<pbi::powerbi::workspace> workspaces;
    std::vector<pbi::powerbi::report> reports;
    pbi::powerbi::report report;
    std::vector<pbi::powerbi::page> pages;
    pbi::powerbi::embed_token embed;
};

asio::awaitable<listing> main_job(pbi::powerbi::client& pc) {
    listing l;
    l.workspaces = co_await pc.async_list_workspaces();
    l.reports = co_await pc.async_list_reports(l.workspaces.at(0).id);
    auto it = std::find_if(l.reports.begin(), l.reports.end(), [](auto& r) { return !r.is_paginated(); });
    pbi::powerbi::report_ref ref{l.workspaces.at(0).id, it->id};
    l.report = co_await pc.async_get_report(ref);
    l.pages = co_await pc.async_list_pages(ref);
    l.embed = co_await pc.async_generate_report_token(ref);
    co_return l;
}

asio::awaitable<failure> list_reports_failure(pbi::powerbi::client& pc, std::string workspace) {
    failure f;
    auto [ec, reports] = co_await pc.async_list_reports(workspace, f.diag, as_tuple);
    f.ec = ec;
    co_return f;
}

} // namespace

TEST_CASE("a service account signs in, lists content and mints an embed token over verified TLS") {
    stack s;
    auto l = s.run(main_job(s.powerbi));

    auto seeded = s.emu.workspaces();
    REQUIRE(l.workspaces.size() == seeded.size());
    CHECK(l.workspaces[0].name == seeded[0].name);
    CHECK(l.reports.size() == seeded[0].reports.size());
    CHECK_FALSE(l.report.embed_url.empty());
    CHECK_FALSE(l.pages.empty());
    CHECK(l.embed.token.reveal().size() > 20);
    CHECK(l.embed.expiration > std::chrono::system_clock::now());

    // One sign-in served every call; one TLS connection served every request.
    CHECK(s.emu.request_count("token") == 1);
    CHECK(s.tokens.counters().grant.token_requests == 1);
    CHECK(s.http.counters().connections_opened == 1);
    CHECK(s.emu.connection_count() == 1);
}

TEST_CASE("a service principal signs in with client credentials and gets no refresh token") {
    stack s({}, stack::grant::client_credentials);
    auto token = s.run(s.tokens.async_get());
    CHECK(token->refresh_token.empty());
    CHECK(token->lifetime >= 3600s);
    auto workspaces = s.run(s.powerbi.async_list_workspaces());
    CHECK_FALSE(workspaces.empty());
}

TEST_CASE("a report whose embed URL holds encoded characters comes back byte for byte") {
    stack s;
    auto ws = s.emu.workspaces().at(0);
    auto reports = s.run(s.powerbi.async_list_reports(ws.id));
    REQUIRE_FALSE(reports.empty());
    for (const auto& r : reports) {
        CHECK(r.embed_url.find("reportId=") != std::string::npos);
        auto single = s.run(s.powerbi.async_get_report({ws.id, r.id}));
        CHECK(single.embed_url == r.embed_url);
    }
}

TEST_CASE("a paginated report has no dataset id") {
    stack s;
    bool saw_paginated = false;
    for (const auto& ws : s.emu.workspaces()) {
        for (const auto& r : s.run(s.powerbi.async_list_reports(ws.id))) {
            if (r.is_paginated()) {
                saw_paginated = true;
                CHECK_FALSE(r.dataset_id.has_value());
            } else {
                CHECK(r.dataset_id.has_value());
            }
        }
    }
    CHECK(saw_paginated);
}

TEST_CASE("workspaces are paged with $top and $skip until a short page") {
    pbi::testing::emulator_options eo;
    stack s(eo);
    for (int i = 0; i < 7; ++i)
        s.emu.add_workspace({"0000000" + std::to_string(i) + "-0000-0000-0000-000000000abc",
                             "Extra " + std::to_string(i),
                             {}});
    const auto expected = s.emu.workspaces().size();
    pbi::powerbi::client small_pages(s.http, s.tokens, {s.emu.origin(), {}, 3});
    auto all = s.run(small_pages.async_list_workspaces());
    CHECK(all.size() == expected);
    CHECK(s.emu.request_count("groups") == expected / 3 + 1);

    auto first_four = s.run(small_pages.async_list_workspaces({std::nullopt, 4}));
    CHECK(first_four.size() == 4);
}

TEST_CASE("a workspace filter with a quote is encoded and matched") {
    stack s;
    s.emu.add_workspace({"0000000f-0000-0000-0000-000000000abc", "O'Brien & Sons", {}});
    auto found = s.run(s.powerbi.async_list_workspaces({"name eq 'O''Brien & Sons'", std::nullopt}));
    REQUIRE(found.size() == 1);
    CHECK(found[0].name == "O'Brien & Sons");
}

TEST_CASE("an expired token answered with 403 TokenExpired is renewed once and the call succeeds") {
    stack s;
    auto ws = s.emu.workspaces().at(0);
    s.run(s.powerbi.async_list_reports(ws.id));
    s.emu.expire_all_tokens();
    auto reports = s.run(s.powerbi.async_list_reports(ws.id));
    CHECK_FALSE(reports.empty());
    CHECK(s.tokens.counters().cache.invalidations == 1);
    CHECK(s.emu.request_count("token") == 2); // the refresh-token grant
    CHECK(s.emu.request_count("reports") == 3);
}

TEST_CASE("a Power BI error surfaces as a typed error with the request id") {
    stack s;
    auto f = s.run(list_reports_failure(s.powerbi, "deadbeef-0000-0000-0000-000000000000"));
    CHECK(f.ec == pbi::errc::entity_not_found);
    CHECK(f.diag.source == pbi::failure_source::powerbi);
    CHECK(f.diag.http_status == 404);
    CHECK_FALSE(f.diag.request_id.empty());
    CHECK_FALSE(f.diag.message.empty());
}

TEST_CASE("concurrent callers on a cold source cause one token request") {
    stack s;
    constexpr int callers = 200;
    int ok = 0;
    auto many = [&]() -> asio::awaitable<int> {
        auto ex = co_await asio::this_coro::executor;
        int done = 0;
        auto one = [&]() -> asio::awaitable<void> {
            pbi::diagnostics d;
            auto [ec, t] = co_await s.tokens.async_get(d, as_tuple);
            if (!ec && t)
                ++ok;
            ++done;
        };
        for (int i = 0; i < callers; ++i)
            asio::co_spawn(ex, one(), asio::detached);
        asio::steady_timer poll(ex);
        while (done < callers) {
            poll.expires_after(1ms);
            co_await poll.async_wait(asio::use_awaitable);
        }
        co_return done;
    };
    CHECK(s.run(many()) == callers);
    CHECK(ok == callers);
    CHECK(s.emu.request_count("token") == 1);
}

TEST_CASE("a wrong password fails as invalid credentials with the AADSTS code and no secret") {
    pbi::testing::emulator_options eo;
    stack s(eo);
    auto cred = pbi_test::ropc_for(s.emu);
    cred.password = pbi::secret("not-the-password");
    s.tokens.update_credential(cred);
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec == pbi::errc::invalid_credentials);
    CHECK(f.ec == pbi::condition::auth);
    CHECK(f.diag.source == pbi::failure_source::entra);
    CHECK(f.diag.error_codes == std::vector<std::int64_t>{50126});
    CHECK_FALSE(f.diag.trace_id.empty());
    CHECK(printed(f.diag).find("not-the-password") == std::string::npos);
}

TEST_CASE("an unknown tenant fails as tenant not found") {
    stack s;
    auto cred = pbi_test::ropc_for(s.emu);
    cred.tenant_id = "99999999-9999-9999-9999-999999999999";
    s.tokens.update_credential(cred);
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec == pbi::errc::tenant_not_found);
    CHECK(f.ec == pbi::condition::configuration);
}

TEST_CASE("a client without the emulator's CA rejects its certificate") {
    stack s;
    pbi::http::client untrusting(s.io.get_executor());
    pbi::entra::token_source tokens(untrusting, pbi_test::ropc_for(s.emu), stack::token_options(s.emu));
    auto f = s.run(sign_in_failure(tokens));
    CHECK(f.ec == pbi::errc::certificate_untrusted);
    CHECK(f.ec == pbi::condition::transport);
    CHECK(f.diag.source == pbi::failure_source::transport);
    CHECK(s.emu.request_count("token") == 0);
}

TEST_CASE("a certificate for another host name is rejected") {
    pbi::testing::certificate_options co;
    co.dns_names = {"reports.example.invalid"};
    co.ip_addresses = {};
    auto certs = pbi::testing::make_certificates(co);
    pbi::testing::emulator_options eo;
    eo.certificate_pem = certs.leaf_cert_pem;
    eo.private_key_pem = certs.leaf_key_pem;
    asio::io_context io;
    pbi::testing::emulator emu(eo);
    pbi::http::client_options ho;
    ho.tls.extra_ca_pem.push_back(certs.ca_cert_pem);
    pbi::http::client http(io.get_executor(), ho);
    pbi::entra::token_source tokens(http, pbi_test::ropc_for(emu), stack::token_options(emu));
    failure f;
    asio::co_spawn(io, sign_in_failure(tokens), [&](std::exception_ptr, failure r) {
        f = r;
        io.stop();
    });
    io.run_for(30s);
    CHECK(f.ec == pbi::errc::certificate_name_mismatch);
    CHECK(f.diag.message.find("127.0.0.1") != std::string::npos);
}

TEST_CASE("an HTML page from a gateway is a typed error, not a parse crash") {
    stack s;
    pbi::testing::fault html;
    html.status = 502;
    html.headers = {{"Content-Type", "text/html"}};
    html.body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    s.emu.inject_fault("reports", html, 3); // a GET meeting 5xx is tried 3 times (retry_options)
    auto f = s.run(list_reports_failure(s.powerbi, s.emu.workspaces().at(0).id));
    CHECK(f.ec == pbi::errc::server_error);
    CHECK(f.ec == pbi::condition::retryable);
    CHECK(f.diag.http_status == 502);
    CHECK(f.diag.message.find("HTML") != std::string::npos);
}

TEST_CASE("malformed JSON in a 200 answer is a typed error") {
    stack s;
    pbi::testing::fault bad;
    bad.status = 200;
    bad.headers = {{"Content-Type", "application/json"}};
    bad.body = R"({"value":[{"id":"1","name":)";
    s.emu.inject_fault("reports", bad);
    auto f = s.run(list_reports_failure(s.powerbi, s.emu.workspaces().at(0).id));
    CHECK(f.ec == pbi::errc::malformed_json);
    CHECK(f.diag.source == pbi::failure_source::powerbi);
}

TEST_CASE("a body cut short by a closed connection is a typed transport error") {
    stack s;
    pbi::testing::fault cut;
    cut.raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"value\":[";
    s.emu.inject_fault("reports", cut);
    auto f = s.run(list_reports_failure(s.powerbi, s.emu.workspaces().at(0).id));
    CHECK(f.ec == pbi::errc::partial_message);
    CHECK(f.ec == pbi::condition::transport);
}

TEST_CASE("a connection dropped mid-response is a typed transport error") {
    stack s;
    pbi::testing::fault drop;
    drop.what = pbi::testing::fault::action::close_mid_body;
    drop.status = 200;
    drop.body = std::string(4000, 'x');
    s.emu.inject_fault("reports", drop);
    auto f = s.run(list_reports_failure(s.powerbi, s.emu.workspaces().at(0).id));
    CHECK(f.ec == pbi::condition::transport);
    CHECK(f.diag.source == pbi::failure_source::transport);
}

TEST_CASE("a header block over the limit is rejected") {
    stack s;
    pbi::testing::fault big;
    big.status = 200;
    big.headers = {{"X-Padding", std::string(70 * 1024, 'a')}};
    big.body = R"({"value":[]})";
    s.emu.inject_fault("reports", big);
    auto f = s.run(list_reports_failure(s.powerbi, s.emu.workspaces().at(0).id));
    CHECK(f.ec == pbi::errc::header_limit_exceeded);
}

TEST_CASE("a server that never answers fails at the caller's deadline") {
    stack s;
    pbi::testing::fault hang;
    hang.what = pbi::testing::fault::action::never_respond;
    s.emu.inject_fault("reports", hang);
    pbi::powerbi::client_options po{s.emu.origin()};
    po.call.timeout = 500ms;
    pbi::powerbi::client impatient(s.http, s.tokens, po);
    const auto start = std::chrono::steady_clock::now();
    auto f = s.run(list_reports_failure(impatient, s.emu.workspaces().at(0).id));
    CHECK(f.ec == pbi::errc::timeout);
    CHECK(std::chrono::steady_clock::now() - start < 10s);
}

TEST_CASE("a throttled call reports the server's Retry-After") {
    stack s;
    pbi::testing::fault slow_down;
    slow_down.status = 429;
    slow_down.headers = {{"Retry-After", "120"}};
    slow_down.body = R"({"message":"Rate limit is exceeded. Retry in 120 seconds."})";
    s.emu.inject_fault("reports", slow_down);
    auto f = s.run(list_reports_failure(s.powerbi, s.emu.workspaces().at(0).id));
    CHECK(f.ec == pbi::errc::throttled);
    CHECK(f.ec == pbi::condition::throttled);
    REQUIRE(f.diag.retry_after.has_value());
    CHECK(*f.diag.retry_after == 120s);
}

TEST_CASE("a token endpoint error that echoes the request shows neither password nor client secret") {
    stack s;
    pbi::testing::fault echo;
    echo.status = 400;
    echo.headers = {{"Content-Type", "application/json"}};
    echo.body =
        R"({"error":"invalid_request","error_description":"AADSTS90014: grant_type=password&client_secret=)" +
        s.emu.options().client_secret + "&password=" + s.emu.options().users.at(0).password +
        R"(","error_codes":[90014]})";
    s.emu.inject_fault("token", echo);
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec == pbi::errc::malformed_token_request);
    const auto text = printed(f.diag);
    CHECK(text.find("AADSTS90014") != std::string::npos);
    CHECK(text.find(s.emu.options().client_secret) == std::string::npos);
    CHECK(text.find(s.emu.options().users.at(0).password) == std::string::npos);
}

TEST_CASE("a Power BI error that echoes the Authorization header does not show the access token") {
    stack s;
    auto token = s.run(s.tokens.async_get());
    const std::string t = token->token.reveal();
    pbi::testing::fault echo;
    echo.status = 400;
    // Whole, and cut short: a gateway's request id made of the token's first 100 characters,
    // and a message whose excerpt (2 000 characters) ends inside the token.
    echo.headers = {{"Content-Type", "application/json"},
                    {"X-PowerBI-Error-Info", token->authorization_value()},
                    {"RequestId", t.substr(0, 100)}};
    echo.body = R"({"error":{"code":"BadRequest","message":")" + std::string(1900, '.') + " bad header " +
                token->authorization_value() + R"("}})";
    s.emu.inject_fault("reports", echo);
    auto f = s.run(list_reports_failure(s.powerbi, s.emu.workspaces().at(0).id));
    CHECK(f.ec == pbi::errc::bad_request);
    const auto text = printed(f.diag);
    CHECK(text.find("BadRequest") != std::string::npos);
    // No part of the token past its first 16 characters (a JWT's common header) shows.
    for (std::size_t at = 16; at + 20 <= t.size(); at += 20)
        CHECK(text.find(t.substr(at, 20)) == std::string::npos);
}

TEST_CASE("a 400 the client cannot read is not retried with the password") {
    stack s;
    pbi::testing::fault mangled;
    mangled.status = 400;
    mangled.headers = {{"Content-Type", "application/json"}};
    mangled.body = R"({"error":"invalid_grant","error_codes":[501)";
    s.emu.inject_fault("token", mangled, 10);
    auto f = s.run(sign_in_failure(s.tokens));
    CHECK(f.ec);
    CHECK(s.emu.request_count("token") == 1);
}
