// pbi-async — bodies of <pbi/testing/connect_proxy.hpp>.
#pragma once

#include <pbi/http/fields.hpp>
#include <pbi/http/proxy_tunnel.hpp>
#include <pbi/testing/certificates.hpp>
#include <pbi/testing/connect_proxy.hpp>

#include <asio/buffer.hpp>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/ssl.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <atomic>
#include <cctype>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>

namespace pbi::testing {

namespace detail::proxy_server {

using asio::ip::tcp;
inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

inline std::string answer(int status, std::string_view reason, std::string_view extra_headers = {}) {
    const std::string body = std::to_string(status) + " " + std::string(reason) + " (pbi test proxy)\n";
    return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n" +
           std::string(extra_headers) +
           "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

// The value of header `name` in a request head, or empty.
inline std::string header_value(std::string_view head, std::string_view name) {
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        const std::size_t start = pos + 2;
        const std::size_t end = head.find("\r\n", start);
        const std::string_view line = head.substr(start, end - start);
        const std::size_t colon = line.find(':');
        if (colon == name.size()) {
            bool same = true;
            for (std::size_t i = 0; i < colon && same; ++i)
                same = std::tolower(static_cast<unsigned char>(line[i])) ==
                       std::tolower(static_cast<unsigned char>(name[i]));
            if (same) {
                std::string_view v = line.substr(colon + 1);
                while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
                    v.remove_prefix(1);
                while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
                    v.remove_suffix(1);
                return std::string(v);
            }
        }
        pos = end;
    }
    return {};
}

} // namespace detail::proxy_server

struct connect_proxy::state : std::enable_shared_from_this<connect_proxy::state> {
    using tcp = asio::ip::tcp;
    using socket_ptr = std::shared_ptr<tcp::socket>;

    explicit state(connect_proxy_options o)
        : options(std::move(o)), ssl(asio::ssl::context::tls_server), acceptor(io) {
        if (options.tls) {
            std::string cert = options.certificate_pem, key = options.private_key_pem;
            if (cert.empty()) {
                const auto& bundle = default_certificates();
                cert = bundle.leaf_cert_pem;
                key = bundle.leaf_key_pem;
                ca = bundle.ca_cert_pem;
            } else {
                ca = cert;
            }
            try {
                ssl.use_certificate_chain(asio::buffer(cert));
                ssl.use_private_key(asio::buffer(key), asio::ssl::context::pem);
            } catch (const std::exception& e) {
                throw std::runtime_error(std::string("connect_proxy: unusable certificate: ") + e.what());
            }
        }
        tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), options.port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
        port = acceptor.local_endpoint().port();
    }

    // io thread only
    void track(const socket_ptr& s) {
        if (stopped) {
            std::error_code ignored;
            s->close(ignored);
            return;
        }
        std::erase_if(sockets, [](const std::weak_ptr<tcp::socket>& w) { return w.expired(); });
        sockets.push_back(s);
    }

    // io thread only
    void close_all() {
        stopped = true;
        std::error_code ignored;
        acceptor.close(ignored);
        for (auto& w : sockets)
            if (auto s = w.lock())
                s->close(ignored);
        sockets.clear();
    }

    static asio::awaitable<void> accept_loop(std::shared_ptr<state> st) {
        for (;;) {
            auto [ec, socket] = co_await st->acceptor.async_accept(detail::proxy_server::use_tuple);
            if (ec)
                co_return;
            ++st->connections;
            auto s = std::make_shared<tcp::socket>(std::move(socket));
            st->track(s);
            if (st->options.tls)
                asio::co_spawn(st->io, serve_tls(st, s), asio::detached);
            else
                asio::co_spawn(st->io, serve(st, s, s), asio::detached);
        }
    }

    static asio::awaitable<void> serve_tls(std::shared_ptr<state> st, socket_ptr raw) {
        auto tls = std::make_shared<asio::ssl::stream<tcp::socket&>>(*raw, st->ssl);
        auto [ec] =
            co_await tls->async_handshake(asio::ssl::stream_base::server, detail::proxy_server::use_tuple);
        if (ec) {
            std::error_code ignored;
            raw->close(ignored);
            co_return;
        }
        co_await serve(st, raw, tls);
    }

    // Sends a final answer, then lets the client read it: half-close and drain until it goes
    // (closing with unread input would reset the connection and could destroy the answer).
    template <class Stream>
    static asio::awaitable<void> refuse(socket_ptr raw, std::shared_ptr<Stream> client, std::string text) {
        (void)co_await asio::async_write(*client, asio::buffer(text), detail::proxy_server::use_tuple);
        std::error_code ignored;
        raw->shutdown(tcp::socket::shutdown_send, ignored);
        char sink[4096];
        for (std::size_t drained = 0; drained < 1024 * 1024;) {
            auto [ec, n] = co_await raw->async_read_some(asio::buffer(sink), detail::proxy_server::use_tuple);
            if (ec)
                break;
            drained += n;
        }
        raw->close(ignored);
    }

    template <class From, class To>
    static asio::awaitable<void> pump(std::shared_ptr<From> from, std::shared_ptr<To> to, socket_ptr a,
                                      socket_ptr b) {
        char chunk[16 * 1024];
        for (;;) {
            auto [rec, n] =
                co_await from->async_read_some(asio::buffer(chunk), detail::proxy_server::use_tuple);
            if (n > 0) {
                auto [wec, m] =
                    co_await asio::async_write(*to, asio::buffer(chunk, n), detail::proxy_server::use_tuple);
                (void)m;
                if (wec)
                    break;
            }
            if (rec)
                break;
        }
        std::error_code ignored;
        a->close(ignored);
        b->close(ignored);
    }

    template <class Stream>
    static asio::awaitable<void> serve(std::shared_ptr<state> st, socket_ptr raw,
                                       std::shared_ptr<Stream> client) {
        namespace ps = detail::proxy_server;
        std::string buf;
        char chunk[4096];
        std::size_t head_end = std::string::npos;
        while (head_end == std::string::npos) {
            auto [ec, n] = co_await client->async_read_some(asio::buffer(chunk), ps::use_tuple);
            buf.append(chunk, n);
            if (!buf.empty() && !(buf.front() >= 'A' && buf.front() <= 'Z')) {
                const std::string bad = ps::answer(400, "Bad Request");
                co_await refuse(raw, client, bad);
                co_return;
            }
            head_end = buf.find("\r\n\r\n");
            if (head_end == std::string::npos && (ec || buf.size() > 16 * 1024)) {
                std::error_code ignored;
                raw->close(ignored);
                co_return;
            }
        }
        const std::string head = buf.substr(0, head_end + 2);
        buf.erase(0, head_end + 4);
        const std::string line = head.substr(0, head.find("\r\n"));
        const auto sp1 = line.find(' ');
        const auto sp2 = line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
        if (sp1 == std::string::npos || sp2 == std::string::npos) {
            const std::string bad = ps::answer(400, "Bad Request");
            co_await refuse(raw, client, bad);
            co_return;
        }
        const std::string method = line.substr(0, sp1);
        const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        ++st->connects;
        if (method != "CONNECT") {
            const std::string not_allowed = ps::answer(405, "Method Not Allowed", "Allow: CONNECT\r\n");
            co_await refuse(raw, client, not_allowed);
            co_return;
        }
        if (!st->options.username.empty()) {
            const std::string expected =
                "Basic " + http::detail::base64_encode(st->options.username + ":" + st->options.password);
            if (ps::header_value(head, "Proxy-Authorization") != expected) {
                ++st->challenges;
                const std::string scheme = st->options.auth_scheme.empty()
                                               ? std::string("Basic realm=\"pbi test proxy\"")
                                               : st->options.auth_scheme;
                const std::string challenge_header = "Proxy-Authenticate: " + scheme + "\r\n";
                const std::string challenge =
                    ps::answer(407, "Proxy Authentication Required", challenge_header);
                co_await refuse(raw, client, challenge);
                co_return;
            }
        }
        if (st->options.refuse_status != 0) {
            const int status = st->options.refuse_status;
            const char* reason = status == 403 ? "Forbidden" : status == 502 ? "Bad Gateway" : "Refused";
            const std::string refusal = ps::answer(status, reason);
            co_await refuse(raw, client, refusal);
            co_return;
        }

        // host:port, IPv6 in brackets
        std::string host, port;
        if (!target.empty() && target.front() == '[') {
            const auto close = target.find(']');
            if (close != std::string::npos && close + 1 < target.size() && target[close + 1] == ':') {
                host = target.substr(1, close - 1);
                port = target.substr(close + 2);
            }
        } else if (const auto colon = target.rfind(':'); colon != std::string::npos) {
            host = target.substr(0, colon);
            port = target.substr(colon + 1);
        }
        if (host.empty() || port.empty()) {
            const std::string bad = ps::answer(400, "Bad Request");
            co_await refuse(raw, client, bad);
            co_return;
        }
        for (const auto& [name, address] : st->options.host_map)
            if (http::iequals(name, host))
                host = address;
        auto upstream = std::make_shared<tcp::socket>(st->io);
        st->track(upstream);
        tcp::resolver resolver(st->io);
        auto [rec, endpoints] = co_await resolver.async_resolve(host, port, ps::use_tuple);
        std::error_code cec = rec;
        if (!rec) {
            auto [ec, ep] = co_await asio::async_connect(*upstream, endpoints, ps::use_tuple);
            (void)ep;
            cec = ec;
        }
        if (cec) {
            const std::string bad_gateway = ps::answer(502, "Bad Gateway");
            co_await refuse(raw, client, bad_gateway);
            co_return;
        }
        const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
        auto [wec, wn] = co_await asio::async_write(*client, asio::buffer(established), ps::use_tuple);
        (void)wn;
        if (wec) {
            std::error_code ignored;
            raw->close(ignored);
            upstream->close(ignored);
            co_return;
        }
        {
            std::lock_guard lock(st->mutex);
            st->targets.push_back(target);
        }
        ++st->tunnels;
        if (!buf.empty()) { // bytes the client sent right behind the request
            auto [ec, n] = co_await asio::async_write(*upstream, asio::buffer(buf), ps::use_tuple);
            (void)n;
            if (ec) {
                std::error_code ignored;
                raw->close(ignored);
                upstream->close(ignored);
                co_return;
            }
        }
        asio::co_spawn(st->io, pump(upstream, client, raw, upstream), asio::detached);
        co_await pump(client, upstream, raw, upstream);
    }

    connect_proxy_options options;
    asio::io_context io{1};
    asio::ssl::context ssl;
    tcp::acceptor acceptor;
    std::string ca;
    std::string url;
    std::uint16_t port = 0;
    std::atomic<std::size_t> connections{0}, connects{0}, tunnels{0}, challenges{0};
    mutable std::mutex mutex; // targets
    std::vector<std::string> targets;
    std::vector<std::weak_ptr<tcp::socket>> sockets; // io thread only
    bool stopped = false;                            // io thread only
    std::atomic<bool> stop_requested{false};
    std::thread thread;
};

PBI_DECL connect_proxy::connect_proxy(connect_proxy_options options)
    : state_(std::make_shared<state>(std::move(options))) {
    state_->url =
        std::string(state_->options.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(state_->port);
    asio::co_spawn(state_->io, state::accept_loop(state_), asio::detached);
    state_->thread = std::thread([s = state_.get()] {
        for (;;) {
            try {
                s->io.run();
                return;
            } catch (const std::exception&) { // a handler threw: keep serving
            }
        }
    });
}

PBI_DECL connect_proxy::~connect_proxy() {
    stop();
    if (state_->thread.joinable())
        state_->thread.join();
}

PBI_DECL void connect_proxy::stop() {
    if (state_->stop_requested.exchange(true))
        return;
    auto close = [s = state_] {
        s->close_all();
    };
    asio::post(state_->io, close);
}

PBI_DECL std::uint16_t connect_proxy::port() const {
    return state_->port;
}

PBI_DECL std::string connect_proxy::url() const {
    return state_->url;
}

PBI_DECL const std::string& connect_proxy::ca_pem() const {
    return state_->ca;
}

PBI_DECL std::size_t connect_proxy::connection_count() const {
    return state_->connections.load();
}

PBI_DECL std::size_t connect_proxy::connect_count() const {
    return state_->connects.load();
}

PBI_DECL std::size_t connect_proxy::tunnel_count() const {
    return state_->tunnels.load();
}

PBI_DECL std::size_t connect_proxy::auth_challenges() const {
    return state_->challenges.load();
}

PBI_DECL std::vector<std::string> connect_proxy::tunnel_targets() const {
    std::lock_guard lock(state_->mutex);
    return state_->targets;
}

} // namespace pbi::testing
