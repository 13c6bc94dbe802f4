// HTTPS through a CONNECT proxy, end to end on loopback: the SDK signs in and calls Power BI on
// the emulator through pbi::testing::connect_proxy — and the failures a corporate network causes.
#include "support.hpp"

#include <pbi/testing/connect_proxy.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <sstream>

using pbi_test::as_tuple;
using namespace std::chrono_literals;
using pbi::errc;
using pbi::testing::connect_proxy;
using pbi::testing::connect_proxy_options;

namespace {

template <class T>
T run(asio::io_context& io, asio::awaitable<T> a) {
    std::optional<T> out;
    std::exception_ptr error;
    auto done = [&](std::exception_ptr e, T v) {
        error = e;
        if (!e)
            out.emplace(std::move(v));
        io.stop(); // the token source's refresh timers would keep run_for() busy
    };
    asio::co_spawn(io, std::move(a), done);
    io.restart();
    io.run_for(std::chrono::seconds(60));
    if (error)
        std::rethrow_exception(error);
    if (!out)
        throw std::runtime_error("the coroutine did not finish within 60 s");
    return std::move(*out);
}

pbi::http::proxy_server proxy_at(const std::string& text) {
    std::error_code ec;
    auto p = pbi::http::proxy_server::parse(text, ec);
    REQUIRE_FALSE(ec);
    return p;
}

// Sends the emulator's loopback origin through the proxy (tests only: loopback normally bypasses).
pbi::http::proxy_config through(const std::string& proxy_url) {
    pbi::http::proxy_config c;
    c.server = proxy_at(proxy_url);
    c.bypass_loopback = false;
    return c;
}

// The fixture's own client goes directly (the test builds its own proxied client).
pbi::http::proxy_config direct(const std::string&) {
    return {};
}

pbi::http::url parse_url(const std::string& text) {
    std::error_code ec;
    auto u = pbi::http::url::parse(text, ec);
    REQUIRE_FALSE(ec);
    return u;
}

/// An emulator, a proxy, and an SDK stack whose every call goes through the proxy.
struct proxied {
    asio::io_context io;
    pbi::testing::emulator emu;
    connect_proxy proxy;
    std::string origin; // what the SDK calls: the emulator, possibly under a name only the proxy knows
    std::vector<pbi::http::client_event> events;
    pbi::http::client http;
    pbi::entra::token_source tokens;
    pbi::powerbi::client powerbi;

    struct setup {
        connect_proxy_options proxy{};
        /// The client's proxy settings, given the proxy's URL; default: through(url).
        std::function<pbi::http::proxy_config(const std::string& proxy_url)> config{};
        pbi::testing::emulator_options emulator{};
        std::string origin_host{}; // default: 127.0.0.1
    };

    explicit proxied(setup s)
        : emu(s.emulator), proxy(s.proxy),
          origin(s.origin_host.empty() ? emu.origin()
                                       : "https://" + s.origin_host + ":" + std::to_string(emu.port())),
          http(io.get_executor(), http_options(s)), tokens(http, pbi_test::ropc_for(emu), token_options()),
          powerbi(http, tokens, pbi::powerbi::client_options{origin}) {}

    pbi::http::client_options http_options(const setup& s) {
        pbi::http::client_options o;
        o.tls.use_system_trust_store = false;
        o.tls.extra_ca_pem.push_back(emu.ca_pem());
        if (s.proxy.tls)
            o.tls.extra_ca_pem.push_back(proxy.ca_pem());
        o.proxy = s.config ? s.config(proxy.url()) : through(proxy.url());
        o.on_event = [this](const pbi::http::client_event& e) {
            events.push_back(e);
        };
        return o;
    }
    pbi::entra::token_source_options token_options() const {
        pbi::entra::token_source_options o;
        o.authority_origin = origin;
        return o;
    }

    std::string emulator_target() const { return "127.0.0.1:" + std::to_string(emu.port()); }
};

struct outcome {
    std::error_code ec;
    pbi::diagnostics diag;
    int status = 0;
};

asio::awaitable<outcome> get(pbi::http::client& http, pbi::http::url origin, std::string target,
                             pbi::call_options call = {}) {
    outcome o;
    pbi::http::request req;
    req.target = std::move(target);
    auto [ec, res] = co_await http.send(origin, std::move(req), call, o.diag);
    o.ec = ec;
    o.status = res.status;
    co_return o;
}

asio::awaitable<outcome> sign_in(pbi::entra::token_source& tokens) {
    outcome o;
    auto [ec, token] = co_await tokens.async_get(o.diag, as_tuple);
    o.ec = ec;
    co_return o;
}

struct listing {
    std::size_t workspaces = 0;
    std::size_t reports = 0;
    bool embed_token = false;
};

asio::awaitable<listing> main_job(pbi::powerbi::client& pc) {
    listing l;
    auto ws = co_await pc.async_list_workspaces();
    l.workspaces = ws.size();
    auto reports = co_await pc.async_list_reports(ws.at(0).id);
    l.reports = reports.size();
    pbi::powerbi::report_ref ref{ws.at(0).id, reports.at(0).id};
    auto embed = co_await pc.async_generate_report_token(ref);
    l.embed_token = !embed.token.empty();
    co_return l;
}

std::string printed(const pbi::diagnostics& d) {
    std::ostringstream os;
    os << d;
    return os.str();
}

std::string openid_path(const pbi::testing::emulator& emu) {
    return "/" + emu.options().tenant_id + "/v2.0/.well-known/openid-configuration";
}

// Accepts connections and never answers (a stuck proxy).
asio::awaitable<void> accept_and_hold(asio::ip::tcp::acceptor* acceptor,
                                      std::shared_ptr<std::vector<asio::ip::tcp::socket>> held) {
    for (;;) {
        auto [ec, sock] = co_await acceptor->async_accept(as_tuple);
        if (ec)
            co_return;
        held->push_back(std::move(sock));
    }
}

// Reads one request head, writes `answer` and keeps the connection open (a misbehaving proxy).
asio::awaitable<void> accept_and_answer(asio::ip::tcp::acceptor* acceptor, std::string answer,
                                        std::shared_ptr<std::vector<asio::ip::tcp::socket>> held) {
    for (;;) {
        auto [ec, sock] = co_await acceptor->async_accept(as_tuple);
        if (ec)
            co_return;
        std::string head;
        auto [rec, n] =
            co_await asio::async_read_until(sock, asio::dynamic_buffer(head), "\r\n\r\n", as_tuple);
        (void)n;
        if (rec)
            continue;
        if (answer.empty()) { // close without a word
            std::error_code ignored;
            sock.close(ignored);
            continue;
        }
        auto [wec, m] = co_await asio::async_write(sock, asio::buffer(answer), as_tuple);
        (void)wec;
        (void)m;
        held->push_back(std::move(sock));
    }
}

// A port on which nothing listens.
std::uint16_t closed_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

} // namespace

TEST_CASE("sign-in and Power BI calls go through one CONNECT tunnel, reused by keep-alive", "[proxy]") {
    proxied s({});
    const auto l = run(s.io, main_job(s.powerbi));
    CHECK(l.workspaces > 0);
    CHECK(l.reports > 0);
    CHECK(l.embed_token);

    // Token request plus three Power BI calls: one tunnel, one TLS connection to the emulator.
    CHECK(s.emu.request_count("token") == 1);
    CHECK(s.proxy.connect_count() == 1);
    CHECK(s.proxy.tunnel_count() == 1);
    CHECK(s.proxy.tunnel_targets() == std::vector<std::string>{s.emulator_target()});
    CHECK(s.emu.connection_count() == 1);
    const auto c = s.http.counters();
    CHECK(c.tunnels_opened == 1);
    CHECK(c.connections_opened == 1);
    CHECK(c.connections_reused == 3);

    REQUIRE_FALSE(s.events.empty());
    CHECK(s.events.front().kind == pbi::http::client_event_kind::connection_opened);
    CHECK(s.events.front().proxy == s.proxy.url());
    CHECK(s.http.proxy_for(parse_url(s.origin)) != nullptr);
}

TEST_CASE("two calls through the proxy share one tunnel", "[proxy]") {
    proxied s({});
    const auto origin = parse_url(s.origin);
    const auto first = run(s.io, get(s.http, origin, openid_path(s.emu)));
    const auto second = run(s.io, get(s.http, origin, openid_path(s.emu)));
    CHECK_FALSE(first.ec);
    CHECK(first.status == 200);
    CHECK(first.diag.proxy == s.proxy.url());
    CHECK_FALSE(second.ec);
    CHECK(second.status == 200);
    CHECK(s.proxy.tunnel_count() == 1);
    CHECK(s.http.counters().tunnels_opened == 1);
    CHECK(s.http.counters().connections_reused == 1);
}

TEST_CASE("a proxy set only by environment variables carries the SDK; only the proxy resolves names",
          "[proxy]") {
    // As in a corporate network: the origin's name is unknown to this machine's DNS, only the
    // proxy can resolve it. The emulator's certificate is issued for that name.
    pbi::testing::certificate_options co;
    co.dns_names = {"powerbi.test"};
    co.ip_addresses = {};
    const auto certs = pbi::testing::make_certificates(co);

    proxied::setup setup;
    setup.proxy.host_map = {{"powerbi.test", "127.0.0.1"}};
    setup.emulator.certificate_pem = certs.leaf_cert_pem;
    setup.emulator.private_key_pem = certs.leaf_key_pem;
    setup.emulator.ca_certificate_pem = certs.ca_cert_pem;
    setup.origin_host = "powerbi.test";
    setup.config = [](const std::string& proxy_url) {
        std::map<std::string, std::string> vars{{"https_proxy", proxy_url},
                                                {"NO_PROXY", "localhost,127.0.0.1,.internal.example"}};
        auto env = [vars](std::string_view name) -> std::optional<std::string> {
            auto it = vars.find(std::string(name));
            return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        return pbi::http::proxy_config::from_environment(env);
    };
    proxied s(setup);
    CHECK(s.http.proxy().source == "https_proxy");
    CHECK(s.http.proxy().bypass_loopback);

    const auto l = run(s.io, main_job(s.powerbi));
    CHECK(l.workspaces > 0);
    CHECK(l.embed_token);
    CHECK(s.proxy.tunnel_count() == 1);
    CHECK(s.proxy.tunnel_targets() ==
          std::vector<std::string>{"powerbi.test:" + std::to_string(s.emu.port())});
}

TEST_CASE("origins in NO_PROXY and loopback origins bypass the proxy", "[proxy]") {
    SECTION("NO_PROXY names the origin") {
        proxied::setup setup;
        setup.config = direct;
        proxied s(setup);
        pbi::http::proxy_config c = through(s.proxy.url());
        c.no_proxy = "example.invalid, 127.0.0.0/8";
        pbi::http::client_options o;
        o.tls.extra_ca_pem.push_back(s.emu.ca_pem());
        o.proxy = c;
        pbi::http::client direct(s.io.get_executor(), o);
        const auto r = run(s.io, get(direct, parse_url(s.origin), openid_path(s.emu)));
        CHECK_FALSE(r.ec);
        CHECK(r.diag.proxy.empty());
        CHECK(s.proxy.connection_count() == 0);
        CHECK(direct.counters().tunnels_opened == 0);
    }
    SECTION("loopback, by default") {
        proxied::setup setup;
        setup.config = direct;
        proxied s(setup);
        pbi::http::proxy_config c;
        c.server = proxy_at(s.proxy.url());
        pbi::http::client_options o;
        o.tls.extra_ca_pem.push_back(s.emu.ca_pem());
        o.proxy = c;
        pbi::http::client direct(s.io.get_executor(), o);
        CHECK(direct.proxy_for(parse_url(s.origin)) == nullptr);
        const auto r = run(s.io, get(direct, parse_url(s.origin), openid_path(s.emu)));
        CHECK_FALSE(r.ec);
        CHECK(s.proxy.connection_count() == 0);
    }
}

TEST_CASE("407 without credentials is proxy_auth_required with a hint", "[proxy]") {
    proxied::setup setup;
    setup.proxy.username = "svc";
    setup.proxy.password = "pw";
    proxied s(setup);

    const auto r = run(s.io, get(s.http, parse_url(s.origin), openid_path(s.emu)));
    CHECK(r.ec == errc::proxy_auth_required);
    CHECK(r.diag.proxy_status == 407);
    CHECK(r.diag.http_status == 0);
    CHECK(r.diag.proxy == s.proxy.url());
    CHECK(r.diag.source == pbi::failure_source::transport);
    CHECK(r.diag.message.find("requires authentication") != std::string::npos);
    CHECK(r.diag.hint.find("user:password") != std::string::npos);
    CHECK(s.proxy.auth_challenges() == 1);
    CHECK(s.proxy.tunnel_count() == 0);

    const auto signin = run(s.io, sign_in(s.tokens)); // the token source reports it as it is
    CHECK(signin.ec == errc::proxy_auth_required);
    CHECK(s.emu.request_count("token") == 0);
}

TEST_CASE("407 with wrong credentials says so and never shows them", "[proxy]") {
    proxied::setup setup;
    setup.proxy.username = "svc";
    setup.proxy.password = "right-password";
    proxied s(setup);
    // Same proxy, wrong password (and the user name must not leak either).
    pbi::http::client_options o;
    o.tls.extra_ca_pem.push_back(s.emu.ca_pem());
    auto c = through(s.proxy.url());
    c.server->username = "svc";
    c.server->password = pbi::secret("wr0ng-passw0rd");
    o.proxy = c;
    std::vector<pbi::http::client_event> events;
    o.on_event = [&events](const pbi::http::client_event& e) {
        events.push_back(e);
    };
    pbi::http::client wrong(s.io.get_executor(), o);

    const auto r = run(s.io, get(wrong, parse_url(s.origin), openid_path(s.emu)));
    CHECK(r.ec == errc::proxy_auth_required);
    CHECK(r.diag.proxy_status == 407);
    CHECK(r.diag.message.find("rejected the credentials") != std::string::npos);
    const std::string all = printed(r.diag);
    CHECK(all.find("wr0ng") == std::string::npos);
    CHECK(all.find("svc") == std::string::npos);
    for (const auto& e : events)
        CHECK(e.proxy.find("wr0ng") == std::string::npos);
    CHECK(s.proxy.auth_challenges() == 1);
}

TEST_CASE("proxy credentials with reserved characters are percent-decoded", "[proxy]") {
    proxied::setup setup;
    setup.proxy.username = "svc@corp";
    setup.proxy.password = "p@ss:w0rd/%";
    setup.config = direct;
    proxied s(setup);
    auto c = through("http://svc%40corp:p%40ss%3Aw0rd%2F%25@127.0.0.1:" + std::to_string(s.proxy.port()));
    pbi::http::client_options o;
    o.tls.extra_ca_pem.push_back(s.emu.ca_pem());
    o.proxy = c;
    std::vector<pbi::http::client_event> events;
    o.on_event = [&events](const pbi::http::client_event& e) {
        events.push_back(e);
    };
    pbi::http::client authed(s.io.get_executor(), o);

    const auto r = run(s.io, get(authed, parse_url(s.origin), openid_path(s.emu)));
    CHECK_FALSE(r.ec);
    CHECK(r.status == 200);
    CHECK(s.proxy.auth_challenges() == 0);
    CHECK(s.proxy.tunnel_count() == 1);
    CHECK(r.diag.proxy == s.proxy.url()); // no credentials in what is shown
    REQUIRE_FALSE(events.empty());
    for (const auto& e : events)
        CHECK(e.proxy == s.proxy.url());
    CHECK(authed.proxy().server->display() == s.proxy.url());
}

TEST_CASE("a proxy that refuses the tunnel is proxy_refused with its status", "[proxy]") {
    SECTION("403 by policy") {
        proxied::setup setup;
        setup.proxy.refuse_status = 403;
        proxied s(setup);
        const auto r = run(s.io, get(s.http, parse_url(s.origin), openid_path(s.emu)));
        CHECK(r.ec == errc::proxy_refused);
        CHECK(r.diag.proxy_status == 403);
        CHECK(r.diag.message.find("refused to open a tunnel to " + s.emulator_target()) != std::string::npos);
        CHECK(s.proxy.tunnel_count() == 0);
        CHECK(s.emu.connection_count() == 0);
    }
    SECTION("502 when the proxy cannot reach the origin") {
        proxied s({});
        const auto nowhere = parse_url("https://127.0.0.1:" + std::to_string(closed_port()));
        const auto r = run(s.io, get(s.http, nowhere, "/"));
        CHECK(r.ec == errc::proxy_refused);
        CHECK(r.diag.proxy_status == 502);
        CHECK(r.diag.message.find("could not open a tunnel") != std::string::npos);
        CHECK(printed(r.diag).find("proxy status: 502") != std::string::npos);
    }
}

TEST_CASE("a plain-HTTP proxy given as https:// fails the TLS handshake with a hint", "[proxy]") {
    proxied::setup setup;
    setup.config = direct;
    proxied s(setup);
    const std::string as_https = "https://127.0.0.1:" + std::to_string(s.proxy.port());
    pbi::http::client_options o;
    o.tls.extra_ca_pem.push_back(s.emu.ca_pem());
    o.proxy = through(as_https);
    pbi::http::client wrong(s.io.get_executor(), o);

    const auto r = run(s.io, get(wrong, parse_url(s.origin), openid_path(s.emu)));
    CHECK(r.ec == errc::tls_handshake_failed);
    CHECK(r.diag.message.find("TLS handshake with the proxy " + as_https) != std::string::npos);
    CHECK(r.diag.message.find("wrong version number") != std::string::npos);
    CHECK(r.diag.hint.find("http://127.0.0.1:" + std::to_string(s.proxy.port())) != std::string::npos);
    CHECK(s.proxy.tunnel_count() == 0);
}

TEST_CASE("an https:// proxy gets TLS of its own, and the origin's TLS runs inside", "[proxy]") {
    proxied::setup setup;
    setup.proxy.tls = true;
    proxied s(setup);
    CHECK(s.proxy.url().rfind("https://", 0) == 0);
    const auto l = run(s.io, main_job(s.powerbi));
    CHECK(l.workspaces > 0);
    CHECK(s.proxy.tunnel_count() == 1);
    CHECK(s.emu.connection_count() == 1);
    CHECK(s.http.counters().connections_opened == 1);
}

TEST_CASE("the origin's certificate is verified through the tunnel, against the origin's name", "[proxy]") {
    pbi::testing::certificate_options co;
    co.dns_names = {"other.example"};
    co.ip_addresses = {};
    const auto certs = pbi::testing::make_certificates(co);
    proxied::setup setup;
    setup.emulator.certificate_pem = certs.leaf_cert_pem;
    setup.emulator.private_key_pem = certs.leaf_key_pem;
    setup.emulator.ca_certificate_pem = certs.ca_cert_pem;
    proxied s(setup);

    const auto r = run(s.io, get(s.http, parse_url(s.origin), openid_path(s.emu)));
    CHECK(r.ec == errc::certificate_name_mismatch);
    CHECK(r.diag.message.find("through the proxy " + s.proxy.url()) != std::string::npos);
    CHECK(r.diag.message.find("127.0.0.1") != std::string::npos);
    CHECK(s.proxy.tunnel_count() == 1); // the tunnel opened; TLS inside it refused the origin
}

TEST_CASE("the deadline and cancellation cover the CONNECT exchange", "[proxy]") {
    asio::io_context io;
    // A "proxy" that accepts and never answers.
    asio::ip::tcp::acceptor silent(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    auto held = std::make_shared<std::vector<asio::ip::tcp::socket>>();
    asio::co_spawn(io, accept_and_hold(&silent, held), asio::detached);
    pbi::http::client_options o;
    o.proxy = through("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()));
    pbi::http::client http(io.get_executor(), o);
    const auto origin = parse_url("https://127.0.0.1:9");

    SECTION("deadline") {
        pbi::call_options call;
        call.timeout = 300ms;
        const auto started = std::chrono::steady_clock::now();
        const auto r = run(io, get(http, origin, "/", call));
        CHECK(r.ec == errc::timeout);
        CHECK(r.diag.message.find("while the proxy opened the tunnel") != std::string::npos);
        CHECK(r.diag.hint.find("the proxy http://127.0.0.1:") != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - started < 5s);
    }
    SECTION("cancellation") {
        asio::cancellation_signal signal;
        asio::steady_timer timer(io, 200ms);
        auto cancel = [&signal](std::error_code) {
            signal.emit(asio::cancellation_type::terminal);
        };
        timer.async_wait(cancel);
        std::optional<outcome> result;
        auto done = [&result, &io](std::exception_ptr, outcome out) {
            result = std::move(out);
            io.stop();
        };
        asio::co_spawn(io, get(http, origin, "/"), asio::bind_cancellation_slot(signal.slot(), done));
        io.restart();
        io.run_for(10s);
        REQUIRE(result);
        CHECK(result->ec == asio::error::operation_aborted);
        CHECK(result->diag.message.find("cancelled while the proxy opened the tunnel") != std::string::npos);
    }
    std::error_code ignored;
    silent.close(ignored);
}

namespace {

/// Runs one call through a fake proxy that answers CONNECT with `answer`.
void expect_unusable_connect_answer(const std::string& answer, std::error_code expected,
                                    const std::string& said) {
    INFO("proxy answer: " << answer);
    asio::io_context io;
    asio::ip::tcp::acceptor fake(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    auto held = std::make_shared<std::vector<asio::ip::tcp::socket>>();
    const std::string fake_url = "http://127.0.0.1:" + std::to_string(fake.local_endpoint().port());
    pbi::http::client_options o;
    o.proxy = through(fake_url);
    pbi::http::client http(io.get_executor(), o);
    const auto origin = parse_url("https://127.0.0.1:9");
    asio::co_spawn(io, accept_and_answer(&fake, answer, held), asio::detached);
    const auto r = run(io, get(http, origin, "/"));
    CHECK(r.ec == expected);
    CHECK(r.diag.message.find(said) != std::string::npos);
    CHECK(r.diag.proxy == fake_url);
    CHECK(http.counters().tunnels_opened == 0);
    std::error_code ignored;
    fake.close(ignored);
}

} // namespace

TEST_CASE("a proxy whose answer to CONNECT is not usable is a proxy protocol error", "[proxy]") {
    // Bytes behind a 200 would corrupt the origin's TLS.
    expect_unusable_connect_answer("HTTP/1.1 200 Connection established\r\n\r\nnot TLS",
                                   errc::proxy_protocol_error, "sent bytes after its answer to CONNECT");
    // An answer that is not HTTP (a SOCKS or TLS port).
    expect_unusable_connect_answer(std::string("\x05\xff\r\n\r\n", 6), errc::proxy_protocol_error,
                                   "to CONNECT is not valid HTTP/1.1");
    // No answer at all.
    expect_unusable_connect_answer("", errc::connection_closed,
                                   "closed the connection without answering CONNECT 127.0.0.1:9");
}
