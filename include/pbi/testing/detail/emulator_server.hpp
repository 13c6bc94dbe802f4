// pbi-async — emulator internals: the TLS listener and the per-connection coroutine (HTTP/1.1
// keep-alive, latency, fault scripts, prompt stop).
#pragma once

#include <pbi/http/date.hpp>
#include <pbi/testing/certificates.hpp>
#include <pbi/testing/detail/emulator_state.hpp>
#include <pbi/testing/detail/request_parser.hpp>
#include <pbi/testing/detail/router.hpp>
#include <pbi/testing/detail/server_answer.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace pbi::testing::detail {

inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

/// One accepted connection. Everything here runs on the connection's strand.
struct server_connection {
    server_connection(asio::ip::tcp::socket socket, asio::ssl::context& ctx)
        : stream(std::move(socket), ctx), timer(stream.get_executor()) {}

    void close() {
        closed = true;
        timer.cancel();
        std::error_code ignored;
        stream.lowest_layer().close(ignored);
    }

    asio::ssl::stream<asio::ip::tcp::socket> stream;
    asio::steady_timer timer; // latency, fault delays, the close_notify deadline
    bool closed = false;
};

class emulator_server : public std::enable_shared_from_this<emulator_server> {
public:
    /// Loads the certificate and binds 127.0.0.1:options.port; start() begins accepting.
    emulator_server(asio::any_io_executor ex, emulator_options options)
        : executor_(ex), state_(std::move(options)), ssl_(asio::ssl::context::tls_server),
          acceptor_(asio::any_io_executor(asio::make_strand(ex))) {
        const auto& o = state_.options();
        std::string cert = o.certificate_pem, key = o.private_key_pem;
        if (cert.empty()) {
            const auto& bundle = default_certificates();
            cert = bundle.leaf_cert_pem;
            key = bundle.leaf_key_pem;
            ca_pem_ = bundle.ca_cert_pem;
        } else {
            ca_pem_ = o.ca_certificate_pem.empty() ? cert : o.ca_certificate_pem;
        }
        ssl_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1);
        ssl_.use_certificate_chain(asio::buffer(cert));
        ssl_.use_private_key(asio::buffer(key), asio::ssl::context::pem);
        asio::ip::tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), o.port);
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
        port_ = acceptor_.local_endpoint().port();
        state_.origin = "https://127.0.0.1:" + std::to_string(port_);
    }

    void start() {
        asio::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this()), asio::detached);
    }

    /// Closes the acceptor and every open connection, each on its own strand. Idempotent.
    void stop() {
        std::vector<std::weak_ptr<server_connection>> connections;
        {
            std::lock_guard lock(registry_mutex_);
            if (stopped_) {
                return;
            }
            stopped_ = true;
            connections.swap(connections_);
        }
        auto close_acceptor = [self = shared_from_this()] {
            std::error_code ignored;
            self->acceptor_.close(ignored);
        };
        asio::post(acceptor_.get_executor(), close_acceptor);
        for (auto& weak : connections) {
            if (auto c = weak.lock()) {
                asio::post(c->stream.get_executor(), [c] { c->close(); });
            }
        }
    }

    std::uint16_t port() const { return port_; }
    const std::string& ca_pem() const { return ca_pem_; }
    emulator_state& state() { return state_; }

private:
    using connection_ptr = std::shared_ptr<server_connection>;
    using self_ptr = std::shared_ptr<emulator_server>;

    bool track(const connection_ptr& c) {
        std::lock_guard lock(registry_mutex_);
        if (stopped_) {
            return false;
        }
        std::erase_if(connections_, [](const auto& w) { return w.expired(); });
        connections_.push_back(c);
        return true;
    }

    std::string date() { return http::format_http_date(state_.now()); }

    static asio::awaitable<void> accept_loop(self_ptr self) {
        for (;;) {
            auto [ec, socket] = co_await self->acceptor_.async_accept(
                asio::any_io_executor(asio::make_strand(self->executor_)), use_tuple);
            if (ec) {
                if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) {
                    co_return;
                }
                asio::steady_timer backoff(self->acceptor_.get_executor(), std::chrono::milliseconds(10));
                co_await backoff.async_wait(use_tuple); // e.g. out of file descriptors
                continue;
            }
            std::error_code ignored;
            socket.set_option(asio::ip::tcp::no_delay(true), ignored);
            auto c = std::make_shared<server_connection>(std::move(socket), self->ssl_);
            if (!self->track(c)) {
                c->close();
                co_return;
            }
            asio::co_spawn(c->stream.get_executor(), serve(self, c), asio::detached);
        }
    }

    static asio::awaitable<void> serve(self_ptr self, connection_ptr c) {
        auto [handshake_error] =
            co_await c->stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
        if (handshake_error || c->closed) {
            c->close();
            co_return;
        }
        self->state_.connections.fetch_add(1);
        const auto& o = self->state_.options();
        const request_limits limits{o.max_header_bytes, o.max_body_bytes};
        std::string buffer;
        std::array<char, 16 * 1024> chunk;
        for (;;) {
            request_parser parser(limits);
            std::error_code parse_error;
            bool continue_sent = false;
            for (;;) {
                if (!buffer.empty()) {
                    buffer.erase(0, parser.put(buffer, parse_error));
                }
                if (parse_error || parser.done()) {
                    break;
                }
                if (parser.expects_continue() && !continue_sent) {
                    continue_sent = true;
                    static constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
                    auto [ec, n] = co_await asio::async_write(c->stream, asio::buffer(interim), use_tuple);
                    if (ec) {
                        c->close();
                        co_return;
                    }
                }
                auto [ec, n] = co_await c->stream.async_read_some(asio::buffer(chunk), use_tuple);
                if (ec || c->closed) {
                    c->close();
                    co_return;
                }
                buffer.append(chunk.data(), n);
            }
            if (parse_error) {
                answer a;
                a.status = parse_error == errc::header_limit_exceeded   ? 431
                           : parse_error == errc::body_limit_exceeded   ? 413
                           : parse_error == errc::bad_transfer_encoding ? 501
                                                                        : 400;
                a.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
                a.body = reason_phrase(a.status);
                co_await write_then_close(c, serialize_answer(a, self->date(), true), true);
                co_return;
            }
            bool keep_alive = co_await respond(self, c, parser.release());
            if (!keep_alive || c->closed) {
                c->close();
                co_return;
            }
        }
    }

    /// Answers one request (normally or as a fault says); true when the connection stays open.
    static asio::awaitable<bool> respond(self_ptr self, connection_ptr c, server_request req) {
        auto& st = self->state_;
        route_match route = match_route(req.path(), req.method);
        st.count(route.name);
        std::optional<fault> f = st.take_fault(route.name);
        bool keep_alive = req.keep_alive();
        if (st.options().latency.count() > 0 && !co_await pause(c, st.options().latency)) {
            co_return false;
        }
        if (f && f->delay.count() > 0 && !co_await pause(c, f->delay)) {
            co_return false;
        }
        answer a;
        if (f && f->what == fault::action::close_before_response) {
            c->close();
            co_return false;
        }
        if (f && f->what == fault::action::never_respond) {
            for (;;) { // drain until the peer or stop() closes the connection
                std::array<char, 4096> sink;
                auto [ec, n] = co_await c->stream.async_read_some(asio::buffer(sink), use_tuple);
                if (ec || c->closed) {
                    c->close();
                    co_return false;
                }
            }
        }
        if (f && f->what == fault::action::respond && !f->raw.empty()) {
            co_await write_then_close(c, std::move(f->raw), true);
            co_return false;
        }
        // close_mid_* cut the fault's own answer when it has one, else the route's normal answer.
        bool scripted = f && (f->what == fault::action::respond || !f->body.empty() || !f->headers.empty());
        if (scripted) {
            a.status = f->status;
            a.headers = std::move(f->headers);
            a.body = std::move(f->body);
            a.chunked = f->chunked;
            if (!a.has("Content-Type") && !a.body.empty()) {
                auto first = a.body.find_first_not_of(" \t\r\n");
                bool json = first != std::string::npos && (a.body[first] == '{' || a.body[first] == '[');
                a.headers.emplace_back("Content-Type",
                                       json ? std::string(json_content_type) : "text/plain; charset=utf-8");
            }
            if (route.powerbi && !a.has("RequestId")) {
                std::lock_guard lock(st.mutex);
                a.headers.emplace_back("RequestId", st.random.guid());
            }
        } else {
            a = dispatch(st, req, route);
            a.chunked = a.chunked || (f && f->chunked);
        }
        for (const auto& [name, value] : a.headers) {
            if (http::iequals(name, "Connection") && value.find("close") != std::string::npos) {
                keep_alive = false;
            }
        }
        std::string bytes = serialize_answer(a, self->date(), !keep_alive);
        if (f && (f->what == fault::action::close_mid_headers || f->what == fault::action::close_mid_body)) {
            std::size_t head = head_length(bytes);
            bytes.resize(f->what == fault::action::close_mid_headers ? std::max<std::size_t>(head / 2, 1)
                                                                     : head + (bytes.size() - head) / 2);
            co_await write_then_close(c, std::move(bytes), false);
            co_return false;
        }
        auto [ec, n] = co_await asio::async_write(c->stream, asio::buffer(bytes), use_tuple);
        if (ec) {
            c->close();
            co_return false;
        }
        if (!keep_alive) {
            co_await write_then_close(c, std::string(), true);
        }
        co_return keep_alive;
    }

    /// Waits on the connection's timer; false when the connection was closed meanwhile.
    static asio::awaitable<bool> pause(connection_ptr c, std::chrono::milliseconds delay) {
        c->timer.expires_after(delay);
        co_await c->timer.async_wait(use_tuple);
        co_return !c->closed;
    }

    /// Writes `bytes`, then closes: `graceful` sends TLS close_notify first (waiting at most
    /// 500 ms for the peer's), otherwise the TCP connection just drops (a truncated stream).
    static asio::awaitable<void> write_then_close(connection_ptr c, std::string bytes, bool graceful) {
        std::error_code ec;
        if (!bytes.empty() && !c->closed) {
            std::tie(ec, std::ignore) = co_await asio::async_write(c->stream, asio::buffer(bytes), use_tuple);
        }
        if (!ec && graceful && !c->closed) {
            c->timer.expires_after(std::chrono::milliseconds(500));
            auto on_deadline = [c](std::error_code e) {
                if (!e) {
                    c->close();
                }
            };
            c->timer.async_wait(on_deadline);
            co_await c->stream.async_shutdown(use_tuple);
        }
        c->close();
    }

    asio::any_io_executor executor_;
    emulator_state state_;
    asio::ssl::context ssl_;
    asio::ip::tcp::acceptor acceptor_;
    std::string ca_pem_;
    std::uint16_t port_ = 0;
    std::mutex registry_mutex_;
    std::vector<std::weak_ptr<server_connection>> connections_;
    bool stopped_ = false;
};

} // namespace pbi::testing::detail
