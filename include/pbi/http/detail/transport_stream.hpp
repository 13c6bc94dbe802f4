// pbi-async — private: the byte stream under a tls_connection's TLS. A TCP socket, or TLS to an
// https:// proxy over that socket (the origin's TLS then runs inside the proxy's).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

#include <memory>
#include <utility>

namespace pbi::http::detail {

/// Meets Asio's AsyncReadStream and AsyncWriteStream requirements (and what ssl::stream needs
/// of its next layer). Reads and writes go to the proxy TLS layer once start_proxy_tls() ran,
/// to the socket before. Not thread-safe, like the socket.
class transport_stream {
public:
    using executor_type = asio::any_io_executor;
    using lowest_layer_type = asio::ip::tcp::socket::lowest_layer_type;

    explicit transport_stream(const executor_type& ex) : socket_(ex) {}

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    lowest_layer_type& lowest_layer() noexcept { return socket_.lowest_layer(); }
    const lowest_layer_type& lowest_layer() const noexcept { return socket_.lowest_layer(); }
    asio::ip::tcp::socket& socket() noexcept { return socket_; }

    /// Puts a TLS layer (to the proxy) on the socket; call before any byte is exchanged.
    asio::ssl::stream<asio::ip::tcp::socket&>& start_proxy_tls(asio::ssl::context& ctx) {
        proxy_tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, ctx);
        return *proxy_tls_;
    }

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
        if (proxy_tls_)
            return proxy_tls_->async_read_some(buffers, std::forward<ReadToken>(token));
        return socket_.async_read_some(buffers, std::forward<ReadToken>(token));
    }

    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
        if (proxy_tls_)
            return proxy_tls_->async_write_some(buffers, std::forward<WriteToken>(token));
        return socket_.async_write_some(buffers, std::forward<WriteToken>(token));
    }

private:
    asio::ip::tcp::socket socket_;
    // Declared after the socket it refers to, so destroyed before it.
    std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> proxy_tls_;
};

} // namespace pbi::http::detail
