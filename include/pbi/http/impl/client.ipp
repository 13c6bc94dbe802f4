// Bodies for pbi/http/client.hpp.
#pragma once

#include <pbi/detail/guid.hpp>
#include <pbi/error.hpp>
#include <pbi/http/client.hpp>
#include <pbi/http/connection.hpp>
#include <pbi/http/detail/call_failure.hpp>
#include <pbi/http/proxy_tunnel.hpp>
#include <pbi/http/tls_context.hpp>

#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <exception>
#include <string>
#include <unordered_map>
#include <utility>

namespace pbi::http {

namespace detail {

// A keep-alive connection the server closed while it sat in the pool shows up as one of these
// before any response byte arrives; the request is then safe to send again.
inline bool is_stale_connection_code(const std::error_code& ec) noexcept {
    return ec == errc::connection_closed || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated;
}

inline bool request_asks_close(const request& req) {
    auto v = req.headers.combined("Connection");
    if (!v)
        return false;
    bool close = false;
    for_each_list_element(*v, [&](std::string_view t) {
        if (iequals(t, "close"))
            close = true;
    });
    return close;
}

} // namespace detail

struct client::impl {
    struct origin_pool {
        explicit origin_pool(const asio::any_io_executor& ex)
            : slot_freed(ex, asio::steady_timer::time_point::max()) {}
        std::vector<std::shared_ptr<tls_connection>> idle; // most recently used at the back
        std::size_t active = 0;                            // connections in use or being opened
        asio::steady_timer slot_freed;                     // parked at max(): cancel() wakes every waiter
    };

    // Shared with the deadline timer's handler, which may run after the call's frame is gone.
    struct call_state {
        std::shared_ptr<tls_connection> conn;
        asio::steady_timer* waiting_on = nullptr;
        bool timed_out = false;
        bool done = false;
    };

    impl(asio::any_io_executor e, client_options o)
        : ex(std::move(e)), options(std::move(o)), ctx(make_tls_context(options.tls)),
          proxy(options.proxy ? std::move(*options.proxy) : proxy_config::from_environment()) {
        options.proxy.reset(); // one copy of the credentials is enough
        if (options.max_connections_per_origin == 0)
            options.max_connections_per_origin = 1;
        if (proxy.server)
            proxy_display = proxy.server->display();
    }

    ~impl() {
        for (auto& [origin, pool] : pools) {
            for (auto& conn : pool->idle)
                conn->close();
            pool->slot_freed.cancel();
        }
    }

    void emit(client_event_kind kind, const std::string& origin, const std::string& via) noexcept {
        if (!options.on_event)
            return;
        try {
            options.on_event(client_event{kind, origin, via});
        } catch (...) {
        }
    }

    void close_connection(tls_connection& conn, const std::string& origin) {
        conn.close();
        ++counters.connections_closed;
        emit(client_event_kind::connection_closed, origin, conn.proxy);
    }

    // Asks the proxy for a tunnel on `conn`. Failures the proxy explains (its status) fill
    // `explained`; transport and parser failures are left to the caller to describe.
    asio::awaitable<std::error_code> open_tunnel(tls_connection& conn, const proxy_server& server,
                                                 const url& origin, diagnostics& explained) {
        const pbi::secret request = make_connect_request(server, origin);
        response_parser parser(options.limits);
        parser.skip_body();
        const read_outcome out = co_await conn.async_open_tunnel(request.reveal(), parser);
        if (out.ec)
            co_return out.ec;
        const response& answer = parser.get();
        // A 2xx answer has no body: whatever follows belongs to the tunnel, and nothing may come
        // before the origin's first TLS record answers our hello. Other answers may have a body.
        if (out.leftover && answer.status >= 200 && answer.status < 300) {
            explained.message = "the proxy " + server.display() + " sent bytes after its answer to CONNECT " +
                                connect_target(origin) + "; the tunnel cannot be used";
            explained.hint = "check that the proxy speaks HTTP/1.1 CONNECT correctly";
            co_return make_error_code(errc::proxy_protocol_error);
        }
        co_return check_connect_response(answer, server, origin, explained);
    }

    // Where the proxy setting came from, for hints.
    std::string proxy_setting_name() const {
        return proxy.source.empty() ? std::string("the proxy configuration") : proxy.source;
    }

    origin_pool& pool_for(const std::string& origin) {
        auto& slot = pools[origin];
        if (!slot)
            slot = std::make_unique<origin_pool>(ex);
        return *slot;
    }

    void purge_expired(origin_pool& pool, const std::string& origin) {
        const auto now = std::chrono::steady_clock::now();
        std::erase_if(pool.idle, [&](const std::shared_ptr<tls_connection>& c) {
            if (c->is_open() && now - c->idle_since <= options.idle_timeout)
                return false;
            close_connection(*c, origin);
            return true;
        });
    }

    // Takes a slot in the pool: an idle connection (`conn` set) or the right to open one.
    asio::awaitable<std::error_code> acquire(origin_pool& pool, std::string origin,
                                             std::shared_ptr<call_state> st,
                                             std::shared_ptr<tls_connection>& conn) {
        for (;;) {
            purge_expired(pool, origin);
            if (!pool.idle.empty()) {
                conn = std::move(pool.idle.back());
                pool.idle.pop_back();
                ++pool.active;
                co_return std::error_code{};
            }
            if (pool.active < options.max_connections_per_origin) {
                ++pool.active;
                co_return std::error_code{};
            }
            if (st->timed_out)
                co_return make_error_code(errc::timeout);
            st->waiting_on = &pool.slot_freed;
            co_await pool.slot_freed.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            st->waiting_on = nullptr;
            if (st->timed_out)
                co_return make_error_code(errc::timeout);
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none)
                co_return make_error_code(asio::error::operation_aborted);
        }
    }

    // Gives the slot back: pools `conn` when `reusable`, closes it otherwise; wakes waiters.
    void release(origin_pool& pool, const std::string& origin, std::shared_ptr<tls_connection> conn,
                 bool reusable) {
        --pool.active;
        if (conn) {
            if (reusable && conn->is_open()) {
                conn->idle_since = std::chrono::steady_clock::now();
                pool.idle.push_back(std::move(conn));
            } else {
                close_connection(*conn, origin);
            }
        }
        pool.slot_freed.cancel();
    }

    asio::awaitable<result<response>> run(url origin, request req, call_options call, diagnostics& diag);

    asio::any_io_executor ex;
    client_options options;
    asio::ssl::context ctx;
    proxy_config proxy;
    std::string proxy_display; // proxy.server->display(), computed once
    client_counters counters;
    std::unordered_map<std::string, std::unique_ptr<origin_pool>> pools;
};

inline asio::awaitable<result<response>> client::impl::run(url origin, request req, call_options call,
                                                           diagnostics& diag) {
    using detail::call_phase;
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = call.effective_deadline();
    const std::size_t body_limit = call.max_response_bytes.value_or(options.limits.max_body_bytes);
    ++counters.requests;

    if (!req.headers.contains("client-request-id"))
        req.headers.set("client-request-id", pbi::detail::make_guid_v4());
    diag.client_request_id = std::string(*req.headers.get("client-request-id"));
    if (!req.headers.contains("User-Agent"))
        req.headers.set("User-Agent", std::string("pbi-async/") + pbi::version_string);

    const std::string origin_text = origin.origin();
    if (origin.scheme != "https" || origin.host.empty() || origin.port == 0) {
        diag.message = "refusing to send a request to \"" + origin_text + "\": only https URLs are supported";
        co_return result<response>{make_error_code(errc::invalid_url), {}};
    }
    const proxy_server* via = http::proxy_for(proxy, origin);
    const std::string no_proxy_text;
    const std::string& via_text = via ? proxy_display : no_proxy_text;
    if (via)
        diag.proxy = via_text;
    if (!is_valid_request(req)) {
        diag.message = "refusing to send a request to " + origin_text +
                       ": the method, target or a header contains characters HTTP does not allow";
        co_return result<response>{make_error_code(errc::invalid_argument), {}};
    }
    const std::string wire = serialize(req, origin.host_header());
    const bool close_requested = detail::request_asks_close(req);

    auto st = std::make_shared<call_state>();
    asio::steady_timer timer(ex, deadline);
    auto on_deadline = [st](std::error_code ec) {
        if (ec || st->done)
            return;
        st->timed_out = true;
        if (st->conn)
            st->conn->close();
        if (st->waiting_on)
            st->waiting_on->cancel();
    };
    timer.async_wait(std::move(on_deadline));

    origin_pool& pool = pool_for(origin_text);
    call_phase phase = call_phase::waiting;
    std::shared_ptr<tls_connection> conn;
    std::error_code ec = co_await acquire(pool, origin_text, st, conn);
    const bool holds_slot = !ec;
    bool retried = false;
    bool reusable = false;
    std::string tls_detail;
    diagnostics tunnel_diag; // what the proxy said when it refused the tunnel
    response res;

    while (!ec) {
        const bool reused = conn != nullptr;
        if (!reused) {
            conn = std::make_shared<tls_connection>(ex, ctx);
            st->conn = conn;
            conn->proxy = via_text;
            phase = via ? call_phase::proxy_connecting : call_phase::connecting;
            const std::string& connect_host = via ? via->host : origin.host;
            const std::uint16_t connect_port = via ? via->port : origin.port;
            ec = co_await conn->async_connect(connect_host, connect_port);
            // The resolver ignores cancellation slots: look at the state ourselves.
            auto cs = co_await asio::this_coro::cancellation_state;
            if (!ec && cs.cancelled() != asio::cancellation_type::none)
                ec = make_error_code(asio::error::operation_aborted);
            if (!ec && via && via->scheme == "https") {
                phase = call_phase::proxy_handshake;
                ec = co_await conn->async_handshake_proxy(via->host, ctx, tls_detail);
            }
            if (!ec && via) {
                phase = call_phase::tunnel;
                ec = co_await open_tunnel(*conn, *via, origin, tunnel_diag);
                if (!ec)
                    ++counters.tunnels_opened;
            }
            if (!ec) {
                phase = call_phase::handshake;
                ec = co_await conn->async_handshake(origin.host, tls_detail);
            }
            if (ec) {
                conn->close();
                conn.reset(); // never opened: not counted as opened or closed
                break;
            }
            ++counters.connections_opened;
            emit(client_event_kind::connection_opened, origin_text, via_text);
        } else {
            st->conn = conn;
            ++counters.connections_reused;
            emit(client_event_kind::connection_reused, origin_text, via_text);
        }

        phase = call_phase::writing;
        std::size_t written = 0;
        ec = co_await conn->async_write(wire, written);
        const bool fully_written = !ec && written == wire.size();
        read_outcome out;
        if (!ec) {
            phase = call_phase::awaiting_response;
            parser_limits limits = options.limits;
            limits.max_body_bytes = body_limit;
            response_parser parser(limits);
            if (req.method == "HEAD")
                parser.skip_body();
            out = co_await conn->async_read_response(parser);
            ec = out.ec;
            if (!ec) {
                res = parser.release();
                reusable = !out.leftover && !out.ended_at_eof && !close_requested && res.keep_alive();
                break;
            }
            if (out.got_bytes)
                phase = call_phase::reading;
        }

        auto cs = co_await asio::this_coro::cancellation_state;
        const bool stale = reused && !retried && !st->timed_out &&
                           cs.cancelled() == asio::cancellation_type::none && !out.got_bytes &&
                           detail::is_stale_connection_code(ec) && (req.body.empty() || !fully_written);
        if (!stale)
            break;
        close_connection(*conn, origin_text);
        conn.reset();
        retried = true;
        ++counters.retries;
        emit(client_event_kind::request_retried, origin_text, via_text);
        ec = {};
    }

    st->done = true;
    st->conn.reset();
    timer.cancel();
    if (holds_slot)
        release(pool, origin_text, std::move(conn), !ec && reusable && !st->timed_out);
    if (!ec)
        co_return result<response>{{}, std::move(res)};

    detail::call_failure failure;
    failure.phase = phase;
    failure.ec = ec;
    failure.timed_out = st->timed_out;
    failure.deadline = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - started);
    failure.origin = &origin;
    failure.origin_text = origin_text;
    failure.via = via;
    failure.via_text = via_text;
    failure.proxy_setting = proxy_setting_name();
    failure.tls_detail = tls_detail;
    failure.proxy_said = &tunnel_diag;
    failure.body_limit = body_limit;
    ec = detail::describe_failure(failure, diag);
    co_return result<response>{ec, {}};
}

PBI_DECL client::client(asio::any_io_executor ex, client_options options)
    : impl_(std::make_unique<impl>(std::move(ex), std::move(options))) {}

PBI_DECL client::~client() = default;

PBI_DECL asio::any_io_executor client::get_executor() const noexcept {
    return impl_->ex;
}

PBI_DECL asio::awaitable<result<response>> client::send(const url& origin, request req, call_options options,
                                                        diagnostics& diag) {
    diag.clear();
    // Cancellation is reported as a value; the caller's own setting comes back afterwards.
    const bool caller_throws = co_await asio::this_coro::throw_if_cancelled();
    co_await asio::this_coro::throw_if_cancelled(false);
    std::exception_ptr failure;
    result<response> r;
    try {
        r = co_await impl_->run(origin, std::move(req), std::move(options), diag);
    } catch (...) {
        failure = std::current_exception();
    }
    co_await asio::this_coro::throw_if_cancelled(caller_throws);
    if (failure)
        std::rethrow_exception(failure);
    co_return r;
}

PBI_DECL void client::close_idle() {
    for (auto& [origin, pool] : impl_->pools) {
        for (auto& conn : pool->idle)
            impl_->close_connection(*conn, origin);
        pool->idle.clear();
    }
}

PBI_DECL client_counters client::counters() const noexcept {
    return impl_->counters;
}

PBI_DECL const proxy_config& client::proxy() const noexcept {
    return impl_->proxy;
}

PBI_DECL const proxy_server* client::proxy_for(const url& origin) const noexcept {
    return http::proxy_for(impl_->proxy, origin);
}

} // namespace pbi::http
