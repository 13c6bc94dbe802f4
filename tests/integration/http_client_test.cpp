// http::client against a tiny scripted TLS server in this file (not the emulator): pooling,
// retries, deadlines, cancellation and certificate failures.
#include <pbi/exception.hpp>
#include <pbi/http/client.hpp>
#include <pbi/testing/certificates.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::chrono_literals;
using asio::ip::tcp;
using ssl_stream = asio::ssl::stream<tcp::socket>;
using pbi::http::client;
using pbi::http::client_options;
using pbi::http::request;
using pbi::http::response;
using pbi::http::url;

constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

// ---------------------------------------------------------------- the scripted server

struct received {
    int connection = 0; // 1-based, in accept order
    std::string head;   // request line and headers
    std::string body;

    std::string header(std::string_view name) const {
        std::size_t pos = head.find("\r\n");
        while (pos != std::string::npos && pos + 2 < head.size()) {
            const std::size_t start = pos + 2;
            const std::size_t end = head.find("\r\n", start);
            const std::string line = head.substr(start, end - start);
            const std::size_t colon = line.find(':');
            if (colon != std::string::npos && colon == name.size() &&
                std::equal(name.begin(), name.end(), line.begin(),
                           [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
                return line.substr(line.find_first_not_of(' ', colon + 1));
            pos = end;
        }
        return {};
    }
    std::string request_line() const { return head.substr(0, head.find("\r\n")); }
};

struct reply {
    enum class then { keep_open, close_tcp, close_tls };
    std::string bytes;
    then after = then::keep_open;
    std::chrono::milliseconds delay{0};
    bool no_reply = false;             // never answer; keep reading until the client goes away
    std::chrono::milliseconds drip{0}; // when set, write `bytes` one byte at a time, this far apart
};

std::string ok(const std::string& body, const std::string& extra_headers = {}) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n" + extra_headers + "\r\n" + body;
}

class test_server {
public:
    using script = std::function<reply(const received&)>;

    test_server(asio::io_context& io, const pbi::testing::certificate_bundle& certs, script s)
        : io_(io), ctx_(asio::ssl::context::tls_server),
          acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          port_(acceptor_.local_endpoint().port()), script_(std::move(s)) {
        ctx_.use_certificate_chain(asio::buffer(certs.leaf_cert_pem));
        ctx_.use_private_key(asio::buffer(certs.leaf_key_pem), asio::ssl::context::pem);
        asio::co_spawn(io, accept_loop(this), asio::detached);
    }

    url origin(const std::string& host = "127.0.0.1") const {
        std::error_code ec;
        auto u = url::parse("https://" + host + ":" + std::to_string(port_), ec);
        REQUIRE_FALSE(ec);
        return u;
    }

    /// Closes the listener and every connection so that io_context::run() can return.
    void stop() {
        std::error_code ignored;
        acceptor_.close(ignored);
        for (auto& w : sessions_)
            if (auto s = w.lock())
                s->lowest_layer().close(ignored);
    }

    std::vector<received> requests;
    int connections = 0;
    int handshake_failures = 0;

private:
    static asio::awaitable<void> accept_loop(test_server* self) {
        for (;;) {
            auto [ec, socket] = co_await self->acceptor_.async_accept(as_tuple);
            if (ec)
                co_return;
            auto stream = std::make_shared<ssl_stream>(std::move(socket), self->ctx_);
            self->sessions_.push_back(stream);
            asio::co_spawn(self->io_, session(self, stream, ++self->connections), asio::detached);
        }
    }

    static asio::awaitable<void> session(test_server* self, std::shared_ptr<ssl_stream> s, int conn) {
        auto [hec] = co_await s->async_handshake(asio::ssl::stream_base::server, as_tuple);
        if (hec) {
            ++self->handshake_failures;
            co_return;
        }
        std::string buf;
        for (;;) {
            auto [ec, n] =
                co_await asio::async_read_until(*s, asio::dynamic_buffer(buf), "\r\n\r\n", as_tuple);
            if (ec)
                co_return;
            received r;
            r.connection = conn;
            r.head = buf.substr(0, n);
            buf.erase(0, n);
            const std::string length = r.header("Content-Length");
            const std::size_t want = length.empty() ? 0 : std::stoul(length);
            while (buf.size() < want) {
                char chunk[4096];
                auto [rec, m] = co_await s->async_read_some(asio::buffer(chunk), as_tuple);
                if (rec)
                    co_return;
                buf.append(chunk, m);
            }
            r.body = buf.substr(0, want);
            buf.erase(0, want);
            self->requests.push_back(r);
            const reply rep = self->script_(r);
            if (rep.delay > 0ms) {
                asio::steady_timer t(self->io_, rep.delay);
                co_await t.async_wait(as_tuple);
            }
            if (rep.no_reply)
                continue;
            if (rep.drip > 0ms) {
                for (char c : rep.bytes) {
                    auto [dec, dn] = co_await asio::async_write(*s, asio::buffer(&c, 1), as_tuple);
                    if (dec)
                        co_return;
                    asio::steady_timer t(self->io_, rep.drip);
                    co_await t.async_wait(as_tuple);
                }
                continue;
            }
            auto [wec, wn] = co_await asio::async_write(*s, asio::buffer(rep.bytes), as_tuple);
            if (wec)
                co_return;
            if (rep.after == reply::then::close_tcp) {
                s->lowest_layer().close();
                co_return;
            }
            if (rep.after == reply::then::close_tls) {
                co_await s->async_shutdown(as_tuple); // sends close_notify, returns when the client closes
                s->lowest_layer().close();
                co_return;
            }
        }
    }

    asio::io_context& io_;
    asio::ssl::context ctx_;
    tcp::acceptor acceptor_;
    std::uint16_t port_;
    script script_;
    std::vector<std::weak_ptr<ssl_stream>> sessions_;
};

// ---------------------------------------------------------------- client-side helpers

struct outcome {
    pbi::result<response> r;
    pbi::diagnostics diag;
    std::chrono::steady_clock::duration elapsed{};
};

client_options
trusting(const pbi::testing::certificate_bundle& certs = pbi::testing::default_certificates()) {
    client_options o;
    o.tls.use_system_trust_store = false;
    o.tls.extra_ca_pem.push_back(certs.ca_cert_pem);
    return o;
}

request get(std::string target = "/") {
    request r;
    r.target = std::move(target);
    return r;
}

pbi::call_options within(std::chrono::milliseconds t) {
    pbi::call_options o;
    o.timeout = t;
    return o;
}

// Sends the requests one after another, pausing between them.
asio::awaitable<void> send_in_turn(client& c, url origin, std::vector<request> reqs,
                                   std::vector<outcome>& out, pbi::call_options options,
                                   std::chrono::milliseconds pause) {
    for (auto& req : reqs) {
        outcome o;
        const auto start = std::chrono::steady_clock::now();
        o.r = co_await c.send(origin, std::move(req), options, o.diag);
        o.elapsed = std::chrono::steady_clock::now() - start;
        out.push_back(std::move(o));
        if (pause > 0ms) {
            asio::steady_timer t(co_await asio::this_coro::executor, pause);
            co_await t.async_wait(as_tuple);
        }
    }
}

// Runs every task concurrently on `io`, stops the server when all are done, rethrows failures.
void run_all(asio::io_context& io, test_server* server, std::vector<asio::awaitable<void>> tasks) {
    auto remaining = std::make_shared<std::size_t>(tasks.size());
    std::exception_ptr failure;
    for (auto& t : tasks) {
        auto done = [remaining, server, &failure](std::exception_ptr e) {
            if (e && !failure)
                failure = e;
            if (--*remaining == 0 && server)
                server->stop();
        };
        asio::co_spawn(io, std::move(t), done);
    }
    io.run();
    if (failure)
        std::rethrow_exception(failure);
}

std::vector<outcome> run_in_turn(asio::io_context& io, test_server& server, client& c,
                                 std::vector<request> reqs, pbi::call_options options = {},
                                 std::chrono::milliseconds pause = 0ms) {
    std::vector<outcome> out;
    std::vector<asio::awaitable<void>> tasks;
    tasks.push_back(send_in_turn(c, server.origin(), std::move(reqs), out, options, pause));
    run_all(io, &server, std::move(tasks));
    return out;
}

// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx in lower-case hex.
bool is_guid_v4(const std::string& s) {
    if (s.size() != 36 || s[14] != '4' || std::string_view("89ab").find(s[19]) == std::string_view::npos)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
        if (dash ? s[i] != '-' : !hex)
            return false;
    }
    return true;
}

} // namespace

// ---------------------------------------------------------------- round trips and pooling

TEST_CASE("GET and POST round trip with Host, User-Agent and a client-request-id", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(),
                       [](const received& r) { return reply{ok("echo:" + r.body)}; });
    client c(io.get_executor(), trusting());

    request post;
    post.method = "POST";
    post.target = "/things?x=1";
    post.headers.add("Content-Type", "application/json");
    post.body = R"({"a":1})";
    auto out = run_in_turn(io, server, c, {get("/hello"), post});

    REQUIRE(out.size() == 2);
    REQUIRE_FALSE(out[0].r.ec);
    REQUIRE_FALSE(out[1].r.ec);
    CHECK(out[0].r.value.status == 200);
    CHECK(out[0].r.value.body == "echo:");
    CHECK(out[1].r.value.body == R"(echo:{"a":1})");
    CHECK(out[0].diag.empty());

    REQUIRE(server.requests.size() == 2);
    const auto& g = server.requests[0];
    const auto& p = server.requests[1];
    CHECK(g.request_line() == "GET /hello HTTP/1.1");
    CHECK(p.request_line() == "POST /things?x=1 HTTP/1.1");
    const std::string host = "127.0.0.1:" + std::to_string(server.origin().port);
    CHECK(g.header("Host") == host);
    CHECK(p.header("Host") == host);
    CHECK(g.header("User-Agent") == std::string("pbi-async/") + pbi::version_string);
    CHECK(p.header("Content-Length") == "7");
    CHECK(p.header("Content-Type") == "application/json");
    CHECK(p.body == R"({"a":1})");
    CHECK(is_guid_v4(g.header("client-request-id")));
    CHECK(is_guid_v4(p.header("client-request-id")));
    CHECK(g.header("client-request-id") != p.header("client-request-id"));
    CHECK(out[0].diag.client_request_id == g.header("client-request-id"));
    CHECK(out[1].diag.client_request_id == p.header("client-request-id"));
}

TEST_CASE("two requests to one origin share one keep-alive connection", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(),
                       [](const received&) { return reply{ok("x")}; });
    std::vector<pbi::http::client_event_kind> events;
    auto options = trusting();
    options.on_event = [&events](const pbi::http::client_event& e) {
        events.push_back(e.kind);
    };
    client c(io.get_executor(), options);

    auto out = run_in_turn(io, server, c, {get(), get()});

    REQUIRE_FALSE(out[0].r.ec);
    REQUIRE_FALSE(out[1].r.ec);
    CHECK(server.connections == 1);
    const auto n = c.counters();
    CHECK(n.requests == 2);
    CHECK(n.connections_opened == 1);
    CHECK(n.connections_reused == 1);
    CHECK(n.connections_closed == 0);
    CHECK(n.retries == 0);
    using k = pbi::http::client_event_kind;
    CHECK(events == std::vector<k>{k::connection_opened, k::connection_reused});
}

TEST_CASE("a response with Connection: close is not pooled", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        return reply{ok("x", "Connection: close\r\n"), reply::then::close_tcp};
    });
    client c(io.get_executor(), trusting());

    auto out = run_in_turn(io, server, c, {get(), get()});

    REQUIRE_FALSE(out[0].r.ec);
    REQUIRE_FALSE(out[1].r.ec);
    CHECK(server.connections == 2);
    CHECK(c.counters().connections_opened == 2);
    CHECK(c.counters().connections_reused == 0);
    CHECK(c.counters().connections_closed == 2);
    CHECK(c.counters().retries == 0);
}

TEST_CASE("bytes after a complete response make the connection unusable", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(),
                       [](const received&) { return reply{ok("one") + ok("two")}; });
    client c(io.get_executor(), trusting());

    auto out = run_in_turn(io, server, c, {get(), get()});

    REQUIRE_FALSE(out[0].r.ec);
    REQUIRE_FALSE(out[1].r.ec);
    CHECK(out[1].r.value.body == "one");
    CHECK(c.counters().connections_opened == 2);
    CHECK(c.counters().connections_reused == 0);
}

TEST_CASE("pooled connections idle longer than idle_timeout are closed, not reused", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(),
                       [](const received&) { return reply{ok("x")}; });
    auto options = trusting();
    options.idle_timeout = std::chrono::seconds(0);
    client c(io.get_executor(), options);

    auto out = run_in_turn(io, server, c, {get(), get()}, {}, 20ms);

    REQUIRE_FALSE(out[1].r.ec);
    CHECK(c.counters().connections_opened == 2);
    CHECK(c.counters().connections_reused == 0);
    CHECK(c.counters().connections_closed == 1);
}

TEST_CASE("a pooled connection the server closed is retried once on a new connection", "[http][client]") {
    asio::io_context io;
    // No "Connection: close": the client pools the connection, then the server drops it.
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        return reply{ok("x"), reply::then::close_tcp};
    });
    std::vector<pbi::http::client_event_kind> events;
    auto options = trusting();
    options.on_event = [&events](const pbi::http::client_event& e) {
        events.push_back(e.kind);
    };
    client c(io.get_executor(), options);

    auto out = run_in_turn(io, server, c, {get("/a"), get("/b")}, {}, 50ms);

    REQUIRE_FALSE(out[0].r.ec);
    REQUIRE_FALSE(out[1].r.ec);
    CHECK(out[1].r.value.status == 200);
    const auto n = c.counters();
    CHECK(n.retries == 1);
    CHECK(n.connections_opened == 2);
    CHECK(server.connections == 2);
    REQUIRE(server.requests.size() == 2);
    CHECK(server.requests[1].request_line() == "GET /b HTTP/1.1");
    CHECK(server.requests[1].connection == 2);
    using k = pbi::http::client_event_kind;
    CHECK(std::count(events.begin(), events.end(), k::request_retried) == 1);
}

TEST_CASE("a written request with a body is not retried on a stale connection", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        return reply{ok("x"), reply::then::close_tcp};
    });
    client c(io.get_executor(), trusting());
    request post = get("/b");
    post.method = "POST";
    post.body = "payload";

    auto out = run_in_turn(io, server, c, {get("/a"), post}, {}, 50ms);

    REQUIRE_FALSE(out[0].r.ec);
    CHECK(out[1].r.ec);
    CHECK(out[1].r.ec == pbi::condition::transport);
    CHECK(c.counters().retries == 0);
    CHECK(out[1].diag.source == pbi::failure_source::transport);
}

TEST_CASE("max_connections_per_origin=1 serialises concurrent requests on one connection", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        return reply{ok("x"), reply::then::keep_open, 20ms};
    });
    auto options = trusting();
    options.max_connections_per_origin = 1;
    client c(io.get_executor(), options);

    std::vector<outcome> a, b, d;
    std::vector<asio::awaitable<void>> tasks;
    tasks.push_back(send_in_turn(c, server.origin(), {get("/1")}, a, {}, 0ms));
    tasks.push_back(send_in_turn(c, server.origin(), {get("/2")}, b, {}, 0ms));
    tasks.push_back(send_in_turn(c, server.origin(), {get("/3")}, d, {}, 0ms));
    run_all(io, &server, std::move(tasks));

    for (auto* o : {&a, &b, &d}) {
        REQUIRE(o->size() == 1);
        CHECK_FALSE(o->front().r.ec);
        CHECK(o->front().r.value.status == 200);
    }
    CHECK(server.connections == 1);
    CHECK(c.counters().connections_opened == 1);
    CHECK(c.counters().connections_reused == 2);
}

TEST_CASE("a body delimited by close_notify completes; without it the response is partial",
          "[http][client]") {
    SECTION("clean TLS close") {
        asio::io_context io;
        test_server server(io, pbi::testing::default_certificates(), [](const received&) {
            return reply{"HTTP/1.1 200 OK\r\n\r\nuntil the end", reply::then::close_tls};
        });
        client c(io.get_executor(), trusting());
        auto out = run_in_turn(io, server, c, {get()});
        REQUIRE_FALSE(out[0].r.ec);
        CHECK(out[0].r.value.body == "until the end");
        CHECK(c.counters().connections_closed == 1); // never pooled
    }
    SECTION("TCP close without close_notify") {
        asio::io_context io;
        test_server server(io, pbi::testing::default_certificates(), [](const received&) {
            return reply{"HTTP/1.1 200 OK\r\n\r\nuntil the end", reply::then::close_tcp};
        });
        client c(io.get_executor(), trusting());
        auto out = run_in_turn(io, server, c, {get()});
        CHECK(out[0].r.ec == pbi::errc::partial_message);
    }
}

TEST_CASE("a connection dropped mid-body is a partial message", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        return reply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", reply::then::close_tcp};
    });
    client c(io.get_executor(), trusting());

    auto out = run_in_turn(io, server, c, {get()});

    CHECK(out[0].r.ec == pbi::errc::partial_message);
    CHECK(out[0].diag.source == pbi::failure_source::transport);
    CHECK(out[0].diag.message.find(server.origin().origin()) != std::string::npos);
    CHECK(c.counters().retries == 0);
}

TEST_CASE("a connection closed before any response byte is connection_closed", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        return reply{"", reply::then::close_tcp};
    });
    client c(io.get_executor(), trusting());

    auto out = run_in_turn(io, server, c, {get()});

    CHECK(out[0].r.ec == pbi::errc::connection_closed);
    CHECK(c.counters().retries == 0); // a fresh connection is never retried
}

// ---------------------------------------------------------------- deadlines and cancellation

TEST_CASE("a server that never answers fails with timeout at the deadline", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        return reply{{}, reply::then::keep_open, 0ms, true};
    });
    client c(io.get_executor(), trusting());

    auto out = run_in_turn(io, server, c, {get()}, within(300ms));

    CHECK(out[0].r.ec == pbi::errc::timeout);
    CHECK(out[0].elapsed >= 280ms);
    CHECK(out[0].elapsed < 2s);
    CHECK(out[0].diag.source == pbi::failure_source::transport);
    CHECK(out[0].diag.message.find("timed out while waiting for the response") != std::string::npos);
    CHECK(is_guid_v4(out[0].diag.client_request_id));
    CHECK(c.counters().connections_closed == 1);
}

TEST_CASE("a server that drips one byte per second fails with timeout at the deadline", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        reply r{ok(std::string(100, 'x')), reply::then::keep_open};
        r.drip = 1s;
        return r;
    });
    client c(io.get_executor(), trusting());

    auto out = run_in_turn(io, server, c, {get()}, within(1500ms));

    CHECK(out[0].r.ec == pbi::errc::timeout);
    CHECK(out[0].elapsed >= 1400ms);
    CHECK(out[0].elapsed < 3s);
    CHECK(out[0].diag.source == pbi::failure_source::transport);
    CHECK(c.counters().connections_closed == 1);
}

TEST_CASE("the deadline also bounds the wait for a free pooled connection", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        return reply{{}, reply::then::keep_open, 0ms, true};
    });
    auto options = trusting();
    options.max_connections_per_origin = 1;
    client c(io.get_executor(), options);

    std::vector<outcome> first, second;
    std::vector<asio::awaitable<void>> tasks;
    tasks.push_back(send_in_turn(c, server.origin(), {get("/1")}, first, within(600ms), 0ms));
    tasks.push_back(send_in_turn(c, server.origin(), {get("/2")}, second, within(200ms), 0ms));
    run_all(io, &server, std::move(tasks));

    CHECK(second[0].r.ec == pbi::errc::timeout);
    CHECK(second[0].elapsed < 550ms);
    CHECK(second[0].diag.message.find("waiting for a free pooled connection") != std::string::npos);
    CHECK(first[0].r.ec == pbi::errc::timeout);
}

namespace {
asio::awaitable<void> send_once(client& c, url origin, outcome& out) {
    const auto start = std::chrono::steady_clock::now();
    out.r = co_await c.send(origin, get(), pbi::call_options{}, out.diag);
    out.elapsed = std::chrono::steady_clock::now() - start;
}
} // namespace

TEST_CASE("terminal cancellation aborts a call and discards its connection", "[http][client]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(), [](const received&) {
        return reply{{}, reply::then::keep_open, 0ms, true};
    });
    client c(io.get_executor(), trusting());

    outcome out;
    std::exception_ptr failure;
    asio::cancellation_signal signal;
    auto done = [&server, &failure](std::exception_ptr e) {
        failure = e;
        server.stop();
    };
    asio::co_spawn(io, send_once(c, server.origin(), out), asio::bind_cancellation_slot(signal.slot(), done));
    asio::steady_timer timer(io, 100ms);
    timer.async_wait([&signal](std::error_code) { signal.emit(asio::cancellation_type::terminal); });
    io.run();

    REQUIRE_FALSE(failure);
    CHECK(out.r.ec == asio::error::operation_aborted);
    CHECK(out.elapsed < 5s);
    CHECK(out.diag.message.find("cancelled") != std::string::npos);
    CHECK(c.counters().connections_closed == 1);
    CHECK(c.counters().connections_opened == 1);
}

// ---------------------------------------------------------------- TLS verification and transport errors

TEST_CASE("a server whose CA is not trusted fails with certificate_untrusted", "[http][client][tls]") {
    asio::io_context io;
    test_server server(io, pbi::testing::default_certificates(),
                       [](const received&) { return reply{ok("x")}; });
    client c(io.get_executor(), client_options{}); // system store only

    auto out = run_in_turn(io, server, c, {get()});

    CHECK(out[0].r.ec == pbi::errc::certificate_untrusted);
    CHECK(out[0].diag.source == pbi::failure_source::transport);
    CHECK(out[0].diag.message.find("TLS handshake with " + server.origin().origin() + " failed") == 0);
    CHECK(out[0].diag.message.find("not trusted") != std::string::npos);
    CHECK_FALSE(out[0].diag.hint.empty());
    CHECK(server.requests.empty());
    CHECK(c.counters().connections_opened == 0);
}

TEST_CASE("a certificate for another host fails with certificate_name_mismatch", "[http][client][tls]") {
    SECTION("IP address not in the certificate") {
        pbi::testing::certificate_options co;
        co.dns_names = {"example.invalid"};
        co.ip_addresses = {};
        const auto certs = pbi::testing::make_certificates(co);
        asio::io_context io;
        test_server server(io, certs, [](const received&) { return reply{ok("x")}; });
        client c(io.get_executor(), trusting(certs));
        auto out = run_in_turn(io, server, c, {get()});
        CHECK(out[0].r.ec == pbi::errc::certificate_name_mismatch);
        CHECK(out[0].diag.message.find("127.0.0.1") != std::string::npos);
    }
    SECTION("host name not in the certificate") {
        pbi::testing::certificate_options co;
        co.dns_names = {};
        co.ip_addresses = {"127.0.0.1"};
        const auto certs = pbi::testing::make_certificates(co);
        asio::io_context io;
        test_server server(io, certs, [](const received&) { return reply{ok("x")}; });
        client c(io.get_executor(), trusting(certs));
        std::vector<outcome> out;
        std::vector<asio::awaitable<void>> tasks;
        tasks.push_back(send_in_turn(c, server.origin("localhost"), {get()}, out, {}, 0ms));
        run_all(io, &server, std::move(tasks));
        CHECK(out[0].r.ec == pbi::errc::certificate_name_mismatch);
    }
}

TEST_CASE("an expired certificate fails with certificate_expired and a clock hint", "[http][client][tls]") {
    pbi::testing::certificate_options co;
    co.not_before_offset = -std::chrono::hours(48);
    co.not_after_offset = -std::chrono::hours(24);
    const auto certs = pbi::testing::make_certificates(co);
    asio::io_context io;
    test_server server(io, certs, [](const received&) { return reply{ok("x")}; });
    client c(io.get_executor(), trusting(certs));

    auto out = run_in_turn(io, server, c, {get()});

    CHECK(out[0].r.ec == pbi::errc::certificate_expired);
    CHECK(out[0].diag.hint.find("clock") != std::string::npos);
}

TEST_CASE("connection refused is reported as the system error", "[http][client]") {
    asio::io_context io;
    std::uint16_t port = 0;
    {
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = probe.local_endpoint().port();
    }
    std::error_code ec;
    const auto origin = url::parse("https://127.0.0.1:" + std::to_string(port), ec);
    REQUIRE_FALSE(ec);
    client c(io.get_executor(), trusting());

    std::vector<outcome> out;
    std::vector<asio::awaitable<void>> tasks;
    tasks.push_back(send_in_turn(c, origin, {get()}, out, within(5000ms), 0ms));
    run_all(io, nullptr, std::move(tasks));

    // Asio reports OS errors in its own "asio.system" category: compare with asio's enumerators.
    CHECK(out[0].r.ec == asio::error::connection_refused);
    CHECK(out[0].r.ec == pbi::condition::transport);
    CHECK(out[0].diag.message.find("could not connect to https://127.0.0.1:") == 0);
}

TEST_CASE("an unusable extra CA makes the client constructor throw invalid_argument", "[http][client][tls]") {
    asio::io_context io;
    client_options o;
    o.tls.extra_ca_pem.push_back("not a certificate");
    try {
        client c(io.get_executor(), o);
        FAIL("no exception");
    } catch (const pbi::error& e) {
        CHECK(e.code() == pbi::errc::invalid_argument);
        CHECK(e.get_diagnostics().message.find("extra_ca_pem[0]") != std::string::npos);
    }
    client_options broken;
    broken.tls.extra_ca_pem.push_back("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    CHECK_THROWS_AS(client(io.get_executor(), broken), pbi::error);
    client_options missing;
    missing.tls.extra_ca_files.push_back("/nonexistent/ca.pem");
    CHECK_THROWS_AS(client(io.get_executor(), missing), pbi::error);
}

TEST_CASE("plain http origins are refused without I/O", "[http][client]") {
    asio::io_context io;
    client c(io.get_executor(), trusting());
    std::error_code ec;
    const auto origin = url::parse("http://127.0.0.1:1", ec);
    REQUIRE_FALSE(ec);

    std::vector<outcome> out;
    std::vector<asio::awaitable<void>> tasks;
    tasks.push_back(send_in_turn(c, origin, {get()}, out, {}, 0ms));
    run_all(io, nullptr, std::move(tasks));

    CHECK(out[0].r.ec == pbi::errc::invalid_url);
    CHECK_FALSE(out[0].diag.client_request_id.empty());
}
